// Issue #11: "Memory stays within the configured cache bound while 50,000
// files churn." The long-running service watches a graph while files come
// and go in waves: each wave creates `wave` new pages in pages/, waits until
// the service indexed them, appends a block to each (an incremental write,
// which the diff-state cache keeps), waits, then deletes them and waits.
// `churn` distinct files pass through in all. After every wave the service's
// `status` gives the caches' sizes against their bounds (`cache.diffStateMaxBytes`
// and `cache.fileMetadataMaxBytes`, set small here so eviction really runs: the
// file rows' bound holds about 3,000 of the up to 4,000 files) and /proc gives the service's
// resident memory. A leak shows as RSS that climbs wave after wave while the
// graph is back to its starting size each time.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { generateGraph } from "../generate-graph.ts";
import { sleep, startService, stopService, type Service } from "../lib/service.ts";
import { removeDir, tempDir } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { callService } from "../../src/control/control-client.ts";

export type ChurnMemoryOptions = { files: number; churn: number; wave: number; cacheMaxBytes: number };

type Status = {
  files: number;
  writes?: {
    total?: { incrementalFiles: number; wholeFiles: number };
    diffStateCache?: { sizeBytes: number; maxBytes: number; entries: number };
    fileMetadataCache?: { sizeBytes: number; maxBytes: number; entries: number; misses: number };
  };
  service?: { state?: string; pid?: number; queued?: number; inFlight?: number };
};

export async function churnMemoryScenario(options: ChurnMemoryOptions, log: (line: string) => void): Promise<BenchRow> {
  const name = "churn-memory";
  const dir = await tempDir("churn");
  let service: Service | undefined;
  try {
    const graphDir = join(dir, "graph");
    await generateGraph(graphDir, { files: options.files, seed: 7 });
    const database = join(dir, "index.duckdb");
    const config = join(dir, "config.json");
    // A short verification scan: a create the watcher drops is found within seconds, not a minute.
    await writeFile(config, JSON.stringify({ graph: graphDir, database, logLevel: "warn", verify: { scanIntervalMs: 5000 }, cache: { diffStateMaxBytes: options.cacheMaxBytes, fileMetadataMaxBytes: metadataBound(options) } }));
    log(`${name}: starting the service on ${options.files} files, then ${options.churn} files in waves of ${options.wave}…`);
    const started = await startService(config, database);
    if (typeof started === "string") return row(name, options.files, { note: `skipped: ${started}` });
    service = started;
    const socket = service.socket;
    const status = async () => (await callService(socket, "status", undefined))?.result as Status;
    const settled = async (what: string, done: (s: Status) => boolean): Promise<Status> => {
      const by = performance.now() + 300_000;
      for (;;) {
        const s = await status().catch(() => undefined);
        if (s !== undefined && s.service?.state === "watching" && s.service.queued === 0 && s.service.inFlight === 0 && done(s)) {
          if (process.env["CHURN_DEBUG"] === "1") log(`${what}: settled after ${Math.round(performance.now() - by + 300_000)} ms, RSS ${pid === undefined ? "?" : Math.round((await residentMb(pid)) ?? 0)} MB`);
          return s;
        }
        if (performance.now() > by) throw new Error(`${name}: ${what} never settled (last status ${JSON.stringify(s?.service)}, files ${s?.files})`);
        await sleep(100);
      }
    };
    let pid: number | undefined;
    const base = await settled("the catch-up", (s) => s.files === options.files);
    pid = base.service?.pid;
    const rssMb = async () => (pid === undefined ? undefined : residentMb(pid));
    const startRss = await rssMb();
    if (startRss === undefined) return row(name, options.files, { note: "skipped: no /proc/PID/status on this system to read the service's memory" });
    const samples: number[] = [];
    let cacheMax = 0;
    let metadataMax = 0;
    const sizes = (s: Status) => {
      cacheMax = Math.max(cacheMax, s.writes?.diffStateCache?.sizeBytes ?? 0);
      metadataMax = Math.max(metadataMax, s.writes?.fileMetadataCache?.sizeBytes ?? 0);
    };
    const writes = (s: Status) => (s.writes?.total?.incrementalFiles ?? 0) + (s.writes?.total?.wholeFiles ?? 0);
    const t0 = performance.now();
    for (let first = 0; first < options.churn; first += options.wave) {
      const paths = Array.from({ length: Math.min(options.wave, options.churn - first) }, (_, i) => join(graphDir, "pages", `churn-${first + i}.md`));
      await Promise.all(paths.map((p, i) => writeFile(p, `- churning page ${first + i}\n  - with a child block about topic${i % 31}\n`)));
      sizes(await settled("a wave of creates", (s) => s.files === options.files + paths.length));
      const before = writes(await status());
      await Promise.all(paths.map((p, i) => readFile(p, "utf8").then((text) => writeFile(p, `${text}- appended block ${first + i}\n`))));
      const edited = await settled("a wave of edits", (s) => writes(s) >= before + paths.length);
      sizes(edited);
      await Promise.all(paths.map((p) => rm(p)));
      sizes(await settled("a wave of deletes", (s) => s.files === options.files));
      samples.push((await rssMb()) ?? 0);
    }
    const seconds = (performance.now() - t0) / 1000;
    const firstWave = samples[0] ?? 0;
    const last = samples[samples.length - 1] ?? 0;
    const misses = (await status()).writes?.fileMetadataCache?.misses ?? 0;
    return row(name, options.churn, {
      peakRssMb: round(Math.max(...samples)),
      filesPerSecond: round((options.churn * 3) / seconds),
      samples: samples.length,
      churn: {
        cacheMaxBytes: cacheMax, cacheBoundBytes: options.cacheMaxBytes, metadataMaxBytes: metadataMax, metadataBoundBytes: metadataBound(options),
        rssFirstMb: round(firstWave), rssLastMb: round(last),
      },
      note:
        `${options.churn} files created, edited and deleted in ${samples.length} waves of ${options.wave} beside ${options.files} others ` +
        `(files/s counts the three writes each); service RSS ${round(startRss)} MB after catch-up, ${round(firstWave)} MB after the first wave, ` +
        `${round(last)} MB after the last (peak between waves ${round(Math.max(...samples))} MB); diff-state cache at most ` +
        `${cacheMax} of ${options.cacheMaxBytes} bytes: ${cacheMax <= options.cacheMaxBytes ? "within" : "OVER"} its bound; file-metadata cache at most ` +
        `${metadataMax} of ${metadataBound(options)} bytes: ${metadataMax <= metadataBound(options) ? "within" : "OVER"} its bound (${misses} rows read back from the index)`,
    });
  } finally {
    if (service !== undefined) await stopService(service);
    await removeDir(dir);
  }
}

/** The file rows' cache: about 340 bytes a row, room for three quarters of the files a wave peaks at. */
function metadataBound(options: ChurnMemoryOptions): number {
  return Math.round(0.75 * (options.files + options.wave) * 340);
}

/** The process's resident memory in MB from /proc (Linux), or undefined elsewhere. */
async function residentMb(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const kb = text?.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

// `node dist/bench/scenarios/churn-memory.js [files] [churn] [wave] [cacheMaxBytes]`: this scenario alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [files = 2000, churn = 50_000, wave = 1000, cacheMaxBytes = 4_000_000] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await churnMemoryScenario({ files, churn, wave, cacheMaxBytes }, console.error)));
}

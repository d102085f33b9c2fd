import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateGraph } from "../../bench/generate-graph.ts";
import { Random } from "../../bench/random.ts";
import { queryRows } from "../support/db.ts";
import { assertIndexInvariants } from "../support/index-invariants.ts";
import { assertConverged, assertSameIndexRows } from "./converged.ts";
import { graphFiles, writeLive, type WriterStats } from "./live-writer.ts";
import { cleanSync, killNine, recover, sleep, spawnCli, writeConfig, type Victim } from "./trial-support.ts";

/**
 * Issue #9, "Done when": kill -9 at random moments, during a bulk catch-up and
 * while the service follows live edits; after each kill a restart must leave
 * an index identical, row for row, to a clean full sync of the folder.
 * KILL_TRIALS_SEED=<n> replays a run's graphs, kill delays and edits (the
 * moment a kill lands in the victim's work still depends on the machine).
 */
const SEED = Number(process.env["KILL_TRIALS_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const CATCH_UP_TRIALS = 10;
const LIVE_TRIALS = 10;
const GRAPH_FILES = 200;
const LIVE_FILES = 200;

type Tally = { trials: number; killedMidRun: number; filesLost: number };

test(`kill -9 trials (seed ${SEED}): after a restart the index equals a clean sync`, async (t) => {
  t.diagnostic(`seed ${SEED} (replay with KILL_TRIALS_SEED=${SEED})`);
  const rng = new Random(SEED);
  const root = await mkdtemp(join(tmpdir(), "sync-pipeline-kill-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const tally: Tally = { trials: 0, killedMidRun: 0, filesLost: 0 };
  const fail = (trial: string, error: unknown): never => {
    throw new Error(`kill trial ${trial} failed (seed ${SEED}): ${(error as Error).message}`, { cause: error });
  };
  const victims = new Set<Victim>();
  t.after(() => victims.forEach((v) => v.child.kill("SIGKILL")));
  const spawnVictim = (args: string[]) => {
    const victim = spawnCli(args);
    victims.add(victim);
    void victim.exited.then(() => victims.delete(victim));
    return victim;
  };
  // Two independent streams (own folders, databases and generators) run side
  // by side: most of a trial is waiting for a child process, and the file
  // stays near a minute and a half instead of three.
  const catchUpRng = rng.fork(1);
  const liveRng = rng.fork(2);
  await Promise.all([catchUpTrials(), liveTrials()]);
  t.diagnostic(`trials ${tally.trials}, kill -9 hit a running process ${tally.killedMidRun} times, files lost ${tally.filesLost}`);
  assert.equal(tally.trials, CATCH_UP_TRIALS + LIVE_TRIALS);
  assert.equal(tally.filesLost, 0);

  async function catchUpTrials(): Promise<void> {
    const rng = catchUpRng;

    // (a) Bulk catch-up: `run --once` and the service's start-up catch-up, from
    // an empty index and from a stale one (every file of another graph to delete).
    const graph = join(root, "graph");
    await generateGraph(graph, { files: GRAPH_FILES, seed: rng.uint32() });
    await generateGraph(join(root, "other"), { files: GRAPH_FILES, seed: rng.uint32() });
    const clean = join(root, "clean.duckdb");
    let started = Date.now();
    await cleanSync(graph, clean, join(root, "clean.json"));
    const fullSyncMs = Date.now() - started;
    const stale = join(root, "stale.duckdb");
    await cleanSync(join(root, "other"), stale, join(root, "stale.json"));
    const database = join(root, "trial.duckdb");
    started = Date.now();
    await copyFile(stale, database);
    await recover(await writeConfig(join(root, "trial.json"), graph, database));
    const staleSyncMs = Date.now() - started;
    await assertSameIndexRows(database, clean, "a stale index caught up (no kill)");
    t.diagnostic(`catch-up of ${GRAPH_FILES} files, process start to exit: ${fullSyncMs} ms from empty, ${staleSyncMs} ms from stale`);

    for (let i = 0; i < CATCH_UP_TRIALS; i++) {
      const mode = i % 2 === 0 ? "run --once" : "service start-up";
      const from = i % 4 < 2 ? "empty" : "stale";
      const settings = i % 3 === 0 ? {} : { batch: { maxFiles: 32 } };
      // About the first third of a run is process and database start-up;
      // most kills land after it, where batches are being committed.
      const duration = from === "empty" ? fullSyncMs : staleSyncMs;
      const delay = rng.int(i % 5 < 2 ? 0 : Math.floor(duration / 3), duration);
      const trial = `catch-up #${i} (${mode} from ${from}, kill at ${delay} ms, ${JSON.stringify(settings)})`;
      try {
        await rm(database, { force: true });
        await rm(`${database}.wal`, { force: true });
        if (from === "stale") await copyFile(stale, database);
        const config = await writeConfig(join(root, "trial.json"), graph, database, settings);
        const victim = spawnVictim(mode === "run --once" ? ["run", "--once", "--config", config] : ["run", "--config", config]);
        await sleep(delay);
        const hit = await killNine(victim);
        const committed = existsSync(database) ? await countFiles(database) : 0;
        if (existsSync(database)) await assertIndexInvariants(database);
        await recover(config);
        await assertSameIndexRows(database, clean, trial);
        tally.filesLost += await lostFiles(graph, database);
        tally.trials++;
        if (hit) tally.killedMidRun++;
        t.diagnostic(`${trial}: ${hit ? `killed, ${committed} files in the index` : "had finished before the kill"}; recovered`);
      } catch (error) {
        fail(trial, error);
      }
  }
  }

  async function liveTrials(): Promise<void> {
    const rng = liveRng;
    // (b) Live edits: the service follows a writer that creates, edits, deletes
    // and moves files; kill -9 lands anywhere in that stream, the writer goes on
    // a little while the service is down, then `run --once` restarts.
    const live = join(root, "live");
    await generateGraph(live, { files: LIVE_FILES, seed: rng.uint32() });
    const liveDatabase = join(root, "live.duckdb");
    const liveConfig = await writeConfig(join(root, "live.json"), live, liveDatabase);
    await recover(liveConfig);
    const liveClean = join(root, "live-clean.duckdb");
    const stats: WriterStats = { create: 0, edit: 0, delete: 0, move: 0, folderMove: 0 };
    for (let i = 0; i < LIVE_TRIALS; i++) {
      const delay = rng.int(0, 2500);
      const tail = rng.int(0, 300);
      const trial = `live #${i} (kill ${delay} ms into the edits, ${tail} ms more edits while down)`;
      try {
        const victim = spawnVictim(["run", "--config", liveConfig]);
        const caughtUp = Date.now() + 60_000;
        while (!/^Caught up: /m.test(victim.output())) {
          assert.ok(victim.child.exitCode === null && Date.now() < caughtUp, `service did not start:\n${victim.output()}`);
          await sleep(20);
        }
        let stop = () => {};
        const stopped = new Promise<void>((resolve) => (stop = resolve));
        const writer = writeLive(live, rng.fork(i), stopped, stats);
        await sleep(delay);
        const hit = await killNine(victim);
        await sleep(tail);
        stop();
        await writer;
        await assertIndexInvariants(liveDatabase);
        await Promise.all([recover(liveConfig), cleanSync(live, liveClean, join(root, "live-clean.json"))]);
        await assertConverged(liveDatabase, liveClean, trial);
        tally.filesLost += await lostFiles(live, liveDatabase);
        tally.trials++;
        if (hit) tally.killedMidRun++;
        t.diagnostic(`${trial}: recovered`);
      } catch (error) {
        fail(trial, error);
      }
  }
  t.diagnostic(`writer operations: ${JSON.stringify(stats)}`);
  }
});

async function countFiles(database: string): Promise<number> {
  const [row] = await queryRows(database, `SELECT count(*)::INTEGER AS n FROM files`);
  return Number(row?.["n"]);
}

/** Files in the folder that the recovered index does not list: what a crash would have lost. */
async function lostFiles(graph: string, database: string): Promise<number> {
  const indexed = new Set((await queryRows(database, `SELECT path FROM files`)).map((r) => r["path"]));
  return (await graphFiles(graph)).filter((path) => !indexed.has(path)).length;
}

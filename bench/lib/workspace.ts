import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Every temp folder the run created, removed at the end (and on Ctrl-C). */
const created = new Set<string>();

export async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sync-pipeline-bench-${name}-`));
  created.add(dir);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  created.delete(dir);
}

export async function removeAll(): Promise<void> {
  await Promise.all([...created].map(removeDir));
}

/** A database's size on disk in MB, its write-ahead log (DuckDB's `.wal`, SQLite's `-wal`) included. */
export async function databaseMb(path: string): Promise<number> {
  let bytes = 0;
  for (const file of [path, `${path}.wal`, `${path}-wal`]) bytes += await stat(file).then((s) => s.size, () => 0);
  return Math.round(bytes / 104857.6) / 10;
}

export type Tuning = { batchSize?: number; parsingThreads?: number; duckdbThreads?: number };

/** Writes a config file for `graph` with a database in `dir`; returns the config and database paths. */
export async function writeConfig(dir: string, graph: string, tuning: Tuning = {}, name = "config"): Promise<{ config: string; database: string }> {
  const database = join(dir, `${name}.duckdb`);
  const config: Record<string, unknown> = { graph, database, logLevel: "warn" };
  if (tuning.batchSize !== undefined) config["batch"] = { maxFiles: tuning.batchSize };
  const pools: Record<string, unknown> = {};
  if (tuning.parsingThreads !== undefined) pools["parsing"] = { threads: tuning.parsingThreads };
  if (tuning.duckdbThreads !== undefined) pools["writing"] = { duckdbThreads: tuning.duckdbThreads };
  if (Object.keys(pools).length > 0) config["pools"] = pools;
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(config, null, 2));
  return { config: path, database };
}

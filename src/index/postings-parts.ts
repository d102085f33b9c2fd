import { closeSync, fsyncSync, mkdirSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { mergeParts, type Part, type Parts, type Statement } from "./postings.ts";
import { readSyncState, setSyncState, writeSyncState } from "./sync-state.ts";

/** sync_state key: the parts committed batches wrote, a JSON array of their first keys ("" or missing: none). */
export const POSTINGS_PARTS = "postings_parts";

/**
 * A one-shot bulk load's postings, kept out of DuckDB until the load's end
 * (issue #8). Each batch writes its postings, and the terms they use, to
 * Parquet files of its own in `<database>.postings/`, made durable before
 * the batch commits, and the batch's transaction adds the part to
 * sync_state: the list is exactly the parts of committed batches. The
 * load's end reads them with fts_postings into the one sort it does anyway
 * (postings.ts rewriteInTermOrder), and their terms into the vocabulary and
 * df. Inserted batch by batch instead, the postings went through the WAL,
 * were checkpointed unsorted into the file once the WAL passed its
 * threshold, and were written again by the sort, leaving the first copy as
 * free blocks.
 *
 * Until then the index is whole without them: the vocabulary and df count
 * only fts_postings, and a part's blocks are found by everything but a
 * word search. A file the list does not name is a batch that did not
 * commit (a crash, or a rollback after its COPY): removed. A list a stopped
 * process left is merged into fts_postings when the next writer opens.
 */
export class PostingsParts {
  readonly folder: string;
  #listed: string[] = [];
  /** The paths whose postings are in a part: a batch that deletes or rewrites one merges the parts first. */
  readonly #paths = new Set<string>();
  #on = false;

  constructor(database: string) {
    this.folder = `${database}.postings`;
  }

  /** Whether batches write their postings to parts now. */
  get on(): boolean {
    return this.#on;
  }

  /** The committed parts' files. */
  get files(): Parts {
    const parts = this.#listed.map((key) => this.#part(key));
    return { postings: parts.map((p) => p.postings), terms: parts.map((p) => p.terms) };
  }

  get any(): boolean {
    return this.#listed.length > 0;
  }

  #part(firstKey: string): Part {
    return { postings: join(this.folder, `${firstKey}.postings.parquet`), terms: join(this.folder, `${firstKey}.terms.parquet`) };
  }

  /** A bulk load starts writing parts. */
  start(): void {
    mkdirSync(this.folder, { recursive: true });
    this.#on = true;
  }

  /** Whether a batch writing these paths would delete or rewrite postings that are in a part. */
  holdsAny(paths: Iterable<string>): boolean {
    if (this.#listed.length === 0) return false;
    for (const path of paths) if (this.#paths.has(path)) return true;
    return false;
  }

  /** Where a batch whose blocks start at `firstKey` writes its postings (keys are never reused by committed batches). */
  partFor(firstKey: bigint): Part {
    return this.#part(String(firstKey));
  }

  /** Makes a written part durable, its folder entries too, before its batch commits. */
  sync(part: Part): void {
    for (const path of [part.postings, part.terms, this.folder]) {
      const fd = openSync(path, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** The sync_state value once the part of the batch from `firstKey` commits too. */
  listWith(firstKey: bigint): string {
    return JSON.stringify([...this.#listed, String(firstKey)]);
  }

  /** After the commit of the batch from `firstKey`, which wrote a part for these paths. */
  committed(firstKey: bigint, paths: Iterable<string>): void {
    this.#listed.push(String(firstKey));
    for (const path of paths) this.#paths.add(path);
  }

  /** A part whose batch rolled back. */
  discard(part: Part): void {
    rmSync(part.postings, { force: true });
    rmSync(part.terms, { force: true });
  }

  /**
   * At a writer's open: sync_state's list, the parts of committed batches.
   * Only these are ever read; the folder goes once they are merged (or at
   * once if none are listed), with any file a batch that did not commit left.
   * A list that is not one (the table edited by hand) is "unreadable".
   */
  restore(state: string | undefined): Parts | "unreadable" {
    this.#listed = [];
    if (state !== undefined && state !== "") {
      const listed = parseList(state);
      if (listed === null) return "unreadable";
      this.#listed = listed;
    }
    if (this.#listed.length === 0) rmSync(this.folder, { force: true, recursive: true });
    return this.files;
  }

  /**
   * After the commit that read every part into fts_postings (and emptied the
   * list): the files go, and later batches of the load, if any, insert their
   * postings into fts_postings as before.
   */
  merged(): void {
    this.#listed = [];
    this.#paths.clear();
    this.#on = false;
    rmSync(this.folder, { force: true, recursive: true });
  }
}

/**
 * At a writer's open: a bulk load that stopped before its end (a crash, a
 * failed sync) left its committed batches' postings in parts; they join
 * fts_postings now, so that everything the writer serves finds them. The
 * load's unsorted mark stays, and the next sync's end sorts the table. A
 * listed part that cannot be read (deleted by hand, lost to a power cut),
 * or a list that is not one, leaves blocks without postings: the index
 * format is dropped then, so the next sync re-indexes every file.
 */
export async function mergeLeftParts(parts: PostingsParts, c: DuckDBConnection, run: Statement): Promise<void> {
  const files = parts.restore((await readSyncState(c))[POSTINGS_PARTS]);
  if (files !== "unreadable" && files.postings.length === 0) return;
  await c.run("BEGIN TRANSACTION");
  try {
    if (files === "unreadable") throw new Error("the list of postings parts is unreadable");
    await mergeParts(run, files, "table");
    await setSyncState(c, { [POSTINGS_PARTS]: "" });
    await c.run("COMMIT");
  } catch {
    await c.run("ROLLBACK").catch(() => {});
    await writeSyncState(c, { [POSTINGS_PARTS]: "", index_format: "" });
  }
  parts.merged();
}

function parseList(state: string): string[] | null {
  try {
    const listed: unknown = JSON.parse(state);
    return Array.isArray(listed) && listed.every((key) => typeof key === "string" && /^\d+$/.test(key)) ? (listed as string[]) : null;
  } catch {
    return null;
  }
}

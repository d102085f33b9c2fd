import { IndexWriter, type IndexedFileState } from "../index/index-writer.ts";
import { searchIndex, type SearchQuery, type SearchHit } from "../index/search.ts";
import { readStatus, type IndexStatus } from "../index/status.ts";
import type { GraphConfig } from "../logseq/types.ts";
import type { BatchResult, IndexBatch } from "../index/index-batch.ts";

/**
 * The index-writer bulkhead's single thread. It alone holds the DuckDB
 * instance (one instance per file per process; a second one silently
 * diverges), so reads for `search` and `status` come here too.
 */
let writer: IndexWriter | undefined;

function current(): IndexWriter {
  if (writer === undefined) throw new Error("index writer is not open");
  return writer;
}

export async function open(task: { database: string; graph: GraphConfig }): Promise<void> {
  writer ??= await IndexWriter.open(task.database, task.graph);
}

/** Every file row as a JSON array of IndexedFileState (see `readFileStates`). */
export function fileStates(): Promise<string> {
  return current().fileStatesJson();
}

export function apply(batch: IndexBatch): Promise<BatchResult> {
  return current().apply(batch);
}

export function readState(): Promise<Record<string, string>> {
  return current().readState();
}

export function setState(entries: Record<string, string>): Promise<void> {
  return current().setState(entries);
}

export function search(query: SearchQuery): Promise<SearchHit[]> {
  return searchIndex(current().connection, query);
}

export function status(): Promise<IndexStatus> {
  return readStatus(current().connection);
}

export function close(): void {
  writer?.close();
  writer = undefined;
}

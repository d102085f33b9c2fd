import type { DuckDBConnection } from "@duckdb/node-api";
import type { FileWrite } from "./index-batch.ts";

/**
 * Paths with a `files` row, and paths with indexed content: a batch issues
 * deletes only for these. Read at the first batch (or read-ahead) that needs
 * them, not when the index opens: a no-op catch-up never writes, and reading
 * both sets cost 45 ms of its start on 20,000 files, before the file states
 * it waits for.
 */
export class IndexedPaths {
  #files: Set<string> | undefined;
  #content: Set<string> | undefined;

  /** Reads both sets, once; call before `files` or `content`, outside a batch's transaction or inside it (they read committed rows). */
  async load(connection: DuckDBConnection): Promise<void> {
    if (this.#files !== undefined && this.#content !== undefined) return;
    this.#files = new Set(await paths(connection, "files"));
    this.#content = new Set(await paths(connection, "pages"));
  }

  get files(): ReadonlySet<string> {
    return this.#files ?? notLoaded();
  }

  get content(): ReadonlySet<string> {
    return this.#content ?? notLoaded();
  }

  /** Keeps the sets in step with a committed write (a no-op until they are read: they will be read with it). */
  track(write: FileWrite): void {
    const files = this.#files;
    const content = this.#content;
    if (files === undefined || content === undefined) return;
    switch (write.op) {
      case "delete":
        files.delete(write.path);
        content.delete(write.path);
        return;
      case "rename":
        files.delete(write.from);
        if (content.delete(write.from)) content.add(write.file.path);
        files.add(write.file.path);
        return;
      case "index":
        content.add(write.file.path);
        files.add(write.file.path);
        return;
      case "metadata":
        files.add(write.file.path);
        return;
    }
  }
}

function notLoaded(): never {
  throw new Error("IndexedPaths read before load()");
}

async function paths(connection: DuckDBConnection, table: "files" | "pages"): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT coalesce(to_json(list(path))::VARCHAR, '[]') FROM ${table}`);
  return JSON.parse(String(reader.getRows()[0]?.[0])) as string[];
}

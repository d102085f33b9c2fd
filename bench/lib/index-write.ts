// One file read, hashed, parsed and serialised on the calling thread, as the
// pools do it for the service: what the single-thread baseline and the
// writer-alone run hand to the IndexWriter.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FileWrite } from "../../src/index/index-batch.ts";
import { indexedDocument } from "../../src/index/indexed-document.ts";
import type { GraphConfig } from "../../src/logseq/types.ts";

const decoder = new TextDecoder("utf-8");

export function indexWriteOf(graphDir: string, snapshot: { path: string; mtime: number }, graph: GraphConfig): Extract<FileWrite, { op: "index" }> {
  const bytes = readFileSync(join(graphDir, snapshot.path));
  const checksum = createHash("sha256").update(bytes).digest("hex");
  const { doc } = indexedDocument(snapshot.path, decoder.decode(bytes), graph);
  const { page, warnings } = doc;
  return {
    op: "index",
    file: {
      path: snapshot.path,
      size: bytes.byteLength,
      mtime: snapshot.mtime,
      checksum,
      status: warnings.length > 0 ? "warning" : "indexed",
      error: warnings.length > 0 ? warnings.join("; ") : null,
      idSeed: page.name,
    },
    doc,
  };
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import type { GraphConfig } from "../../src/logseq/types.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";

export type SampleFile = { path: string; bytes: Uint8Array; text: string };
export type Sample = { graph: GraphConfig; files: SampleFile[]; bytes: number };

/**
 * The graph's Markdown files in path order, taken until `maxBytes`: the same
 * input for every contender of a micro-benchmark.
 */
export async function loadSample(graphDir: string, maxBytes: number): Promise<Sample> {
  const graph = await readGraphConfig(graphDir);
  const paths = [...(await scanDirectory(graphDir, graph)).files.keys()].filter((p) => p.endsWith(".md")).sort();
  const files: SampleFile[] = [];
  let bytes = 0;
  for (const path of paths) {
    if (bytes >= maxBytes) break;
    const data = new Uint8Array(await readFile(join(graphDir, path)));
    files.push({ path, bytes: data, text: new TextDecoder().decode(data) });
    bytes += data.byteLength;
  }
  return { graph, files, bytes };
}

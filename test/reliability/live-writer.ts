import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Random } from "../../bench/random.ts";

const WORDS = ["amber", "basalt", "cinder", "drift", "ember", "fjord", "gale", "heron", "islet", "juniper", "kelp", "lichen"];

/** A small page: a few blocks, some nested, with words, page refs and tags that other pages share. */
export function pageText(rng: Random, org: boolean): string {
  const lines: string[] = [];
  const blocks = rng.int(1, 6);
  for (let i = 0; i < blocks; i++) {
    const depth = i === 0 ? 0 : rng.int(0, 1);
    const words = Array.from({ length: rng.int(1, 6) }, () => rng.pick(WORDS));
    if (rng.chance(0.3)) words.push(`[[${rng.pick(WORDS)} page]]`);
    if (rng.chance(0.2)) words.push(`#${rng.pick(WORDS)}`);
    const text = words.join(" ");
    lines.push(org ? `${"*".repeat(depth + 1)} ${text}` : `${"\t".repeat(depth)}- ${text}`);
  }
  return lines.join("\n") + "\n";
}

/** Every .md/.org file under `graph`, relative, sorted. */
export async function graphFiles(graph: string): Promise<string[]> {
  return (await readdir(graph, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && /\.(md|org)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name).slice(graph.length + 1))
    .sort();
}

export type WriterStats = { create: number; edit: number; delete: number; move: number; folderMove: number };

/**
 * The live writer of the kill trials: creates, edits, deletes and moves files
 * (also into new nested folders, and whole folders) in `graph`, a few ms
 * apart, until `stop` resolves. Every choice comes from `rng`, so a seed
 * replays the same operations (their timing against the service may differ).
 */
export async function writeLive(graph: string, rng: Random, stop: Promise<void>, stats: WriterStats): Promise<void> {
  const paths = await graphFiles(graph);
  let stopped = false;
  void stop.then(() => (stopped = true));
  let n = 0;
  while (!stopped) {
    n++;
    const roll = rng.next();
    const tag = `${rng.hex(6)}-${n}`;
    if (roll < 0.25 || paths.length < 5) {
      const rel = rng.chance(0.3) ? `pages/live/${rng.pick(WORDS)}/${tag}.md` : `pages/live-${tag}.md`;
      await mkdir(dirname(join(graph, rel)), { recursive: true });
      await writeFile(join(graph, rel), pageText(rng, false));
      paths.push(rel);
      stats.create++;
    } else if (roll < 0.6) {
      const rel = rng.pick(paths);
      await writeFile(join(graph, rel), pageText(rng, rel.endsWith(".org")));
      stats.edit++;
    } else if (roll < 0.75) {
      const i = rng.int(0, paths.length - 1);
      await rm(join(graph, paths[i] as string));
      paths.splice(i, 1);
      stats.delete++;
    } else if (roll < 0.95) {
      const i = rng.int(0, paths.length - 1);
      const from = paths[i] as string;
      const ext = from.endsWith(".org") ? "org" : "md";
      const to = rng.chance(0.5) ? `pages/moved-${tag}.${ext}` : `pages/nest-${tag}/${rng.pick(WORDS)}/${tag}.${ext}`;
      await mkdir(dirname(join(graph, to)), { recursive: true });
      await rename(join(graph, from), join(graph, to));
      paths[i] = to;
      stats.move++;
    } else {
      const nested = paths.filter((p) => p.split("/").length > 2);
      if (nested.length === 0) continue;
      const folder = dirname(rng.pick(nested));
      const to = `pages/folder-${tag}`;
      await rename(join(graph, folder), join(graph, to));
      for (let i = 0; i < paths.length; i++) {
        const p = paths[i] as string;
        if (p.startsWith(`${folder}/`)) paths[i] = `${to}/${p.slice(folder.length + 1)}`;
      }
      stats.folderMove++;
    }
    await new Promise((resolve) => setTimeout(resolve, rng.int(0, 30)));
  }
}

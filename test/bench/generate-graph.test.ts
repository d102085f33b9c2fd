import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CODE_ONLY_REFS, RARE_WORDS, generateGraph, rareWordFiles } from "../../bench/generate-graph.ts";
import type { GenerateOptions } from "../../bench/generate-graph.ts";

async function listFiles(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, p)));
    else out.push(p);
  }
  return out.sort();
}

test("generateGraph is deterministic and produces a realistic layout", async () => {
  const options: GenerateOptions = { files: 240, seed: 7 };
  const dirA = await mkdtemp(join(tmpdir(), "gen-graph-a-"));
  const dirB = await mkdtemp(join(tmpdir(), "gen-graph-b-"));
  try {
    const a = await generateGraph(dirA, options);
    const b = await generateGraph(dirB, options);

    assert.equal(a.files, 240);
    assert.equal(b.files, 240);
    assert.equal(a.bytes, b.bytes);
    assert.deepEqual(a.pageNames, b.pageNames);
    assert.equal(a.pageNames.length, 240);
    assert.equal(new Set(a.pageNames.map((n) => n.toLowerCase())).size, 240, "page names unique");

    const filesA = await listFiles(dirA);
    const filesB = await listFiles(dirB);
    assert.deepEqual(filesA, filesB);
    let total = 0;
    for (const rel of filesA) {
      const [x, y] = await Promise.all([readFile(join(dirA, rel)), readFile(join(dirB, rel))]);
      assert.ok(x.equals(y), `byte-identical: ${rel}`);
      total += x.byteLength;
    }
    assert.equal(total, a.bytes);

    const pages = filesA.filter((f) => f.startsWith("pages/"));
    const journals = filesA.filter((f) => f.startsWith("journals/"));
    assert.equal(pages.length + journals.length, 240);
    assert.equal(journals.length, 72); // default journalFraction 0.3
    assert.ok(journals.every((f) => /^journals\/\d{4}_\d{2}_\d{2}\.(md|org)$/.test(f)));
    assert.ok(journals.some((f) => f.endsWith(".org")), "org journal");
    assert.ok(pages.some((f) => f.endsWith(".org")), "org page");
    assert.ok(pages.some((f) => /___.+___/.test(f)), "nested namespace page a___b___c");
    assert.ok(pages.some((f) => f.includes("%3F")), "%-encoded page name");
    assert.ok(filesA.includes("logseq/config.edn"));

    const config = await readFile(join(dirA, "logseq/config.edn"), "utf8");
    assert.match(config, /:file\/name-format :triple-lowbar/);

    const all = (await Promise.all(pages.concat(journals).map((f) => readFile(join(dirA, f), "utf8")))).join("\n");
    for (const needle of ["\t- ", "id:: ", "collapsed:: true", "{{embed [[", "SCHEDULED: <", "[[", "((", "```"]) {
      assert.ok(all.includes(needle), `content contains ${JSON.stringify(needle)}`);
    }
    assert.match(all, /^\s*- (TODO|DOING|DONE|LATER|NOW) /m);
    assert.match(all, /^#\+title: /m);
    assert.match(all, /^:PROPERTIES:$/m);

    // Every ((uuid)) outside code points at an id:: that exists.
    const ids = new Set([...all.matchAll(/^\s*(?:id:: |:id: )([0-9a-f-]{36})$/gm)].map((m) => m[1]));
    const refs = [...all.matchAll(/\(\(([0-9a-f-]{36})\)\)/g)].map((m) => m[1]);
    assert.ok(refs.length > 0);
    for (const r of refs) if (r !== CODE_ONLY_REFS.blockUuid) assert.ok(ids.has(r), `block ref ${r} exists`);

    // Rare words appear exactly where rareWordFiles says.
    const expected = rareWordFiles(options);
    for (const w of RARE_WORDS) {
      const actual: string[] = [];
      for (const f of pages.concat(journals)) {
        if ((await readFile(join(dirA, f), "utf8")).includes(w)) actual.push(f);
      }
      assert.deepEqual(actual.sort(), [...expected[w]].sort(), `placement of ${w}`);
      assert.ok(actual.length > 0, `${w} placed at least once`);
    }

    const other = await generateGraph(await mkdtemp(join(tmpdir(), "gen-graph-c-")), { files: 240, seed: 8 });
    try {
      assert.notDeepEqual(other.pageNames, a.pageNames, "different seed, different graph");
    } finally {
      await rm(other.dir, { recursive: true, force: true });
    }
  } finally {
    await rm(dirA, { recursive: true, force: true });
    await rm(dirB, { recursive: true, force: true });
  }
  await assert.rejects(stat(dirA), { code: "ENOENT" });
  await assert.rejects(stat(dirB), { code: "ENOENT" });
});

test("generateGraph honours orgFraction and journalFraction", async () => {
  const dir = await mkdtemp(join(tmpdir(), "gen-graph-d-"));
  try {
    const g = await generateGraph(dir, { files: 50, seed: 3, orgFraction: 0, journalFraction: 0.5 });
    const files = await listFiles(dir);
    assert.equal(g.files, 50);
    assert.equal(files.filter((f) => f.startsWith("journals/")).length, 25);
    assert.equal(files.filter((f) => f.endsWith(".org")).length, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

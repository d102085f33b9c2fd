/**
 * Hostile but realistic input (issue #13 rows 3, 5, 15b): deep nesting
 * parses without recursion, unbounded repetition is capped with a warning,
 * unclosed regions opened on a bullet line warn. Exact outcomes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile, MAX_WARNINGS } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { MAX_REF_TARGET_CHARS, MAX_REFS_PER_BLOCK, REF_TEXT_FACTOR } from "../../src/logseq/ref-collector.ts";

const parse = (text: string, path = "pages/p.md") => parseFile(path, text, defaultGraphConfig);
const refText = (f: ReturnType<typeof parse>) => f.blocks.reduce((n, b) => n + b.refs.reduce((m, r) => m + r.target.length, 0), 0);

test("[ ×20,000 then ] ×20,000 parses: the levels up to the target limit are refs, the rest a warning", () => {
  const f = parse("- " + "[".repeat(20_000) + "]".repeat(20_000));
  assert.equal(f.blocks.length, 1);
  const refs = f.blocks[0]?.refs ?? [];
  // level k (from the inside) refs "[[" × k + "]]" × k: 4k characters, kept up to the limit
  const kept = Math.floor(MAX_REF_TARGET_CHARS / 4);
  assert.equal(refs.length, kept);
  assert.deepEqual(refs[refs.length - 1], { target: "[[]]", kind: "page" });
  assert.deepEqual(f.warnings, [`block at line 1: ${10_000 - 1 - kept} ref(s) longer than ${MAX_REF_TARGET_CHARS} characters ignored`]);
});

test("links nested 10,000 deep parse; the innermost ones are refs", () => {
  const n = 10_000;
  let text = "- ";
  for (let k = 0; k < n; k++) text += `[[a${k} `;
  text += "]]".repeat(n);
  const f = parse(text);
  const refs = f.blocks[0]?.refs ?? [];
  assert.deepEqual(refs[refs.length - 1], { target: `a${n - 1}`, kind: "page" });
  assert.deepEqual(refs[refs.length - 2], { target: `a${n - 2} [[a${n - 1} ]]`, kind: "page" });
  assert.ok(refs.every((r) => r.target.length <= MAX_REF_TARGET_CHARS));
  assert.equal(f.warnings.length, 1);
  assert.match(f.warnings[0] as string, new RegExp(`^block at line 1: \\d+ ref\\(s\\) longer than ${MAX_REF_TARGET_CHARS} characters ignored$`));
});

test("nested links 5,000 deep (row 5): ref text stays within the block's limit, not quadratic", () => {
  const n = 5_000;
  let text = "- ";
  for (let k = 0; k < n; k++) text += `[[${String.fromCharCode(97 + (k % 26))} `;
  text += "]]".repeat(n);
  const f = parse(text);
  assert.ok(refText(f) <= REF_TEXT_FACTOR * text.length + MAX_REF_TARGET_CHARS, `ref text ${refText(f)}`);
  assert.ok(refText(f) < 300_000); // before: 124 MB of ref text from 49 KB
});

test("ref text per block is at most REF_TEXT_FACTOR × the block's text + one longest target, with a warning", () => {
  const block = "[".repeat(2_048) + "]".repeat(2_048); // nested levels of 4, 8, … 4,096 characters
  const f = parse("- " + block);
  const budget = REF_TEXT_FACTOR * block.length + MAX_REF_TARGET_CHARS;
  assert.ok(refText(f) <= budget && refText(f) > budget - 4, `ref text ${refText(f)}, budget ${budget}`);
  assert.equal(f.warnings.length, 2);
  assert.match(f.warnings[1] as string, new RegExp(`^block at line 1: refs longer in total than ${REF_TEXT_FACTOR}× the block; \\d+ more ignored$`));
});

test("at most MAX_REFS_PER_BLOCK distinct refs per block, with a warning; duplicates do not count", () => {
  const many = Array.from({ length: MAX_REFS_PER_BLOCK + 1 }, (_, k) => `[[p${k}]]`).join(" ");
  const f = parse(`- ${many} [[p0]]\n- [[q]]`);
  assert.equal(f.blocks[0]?.refs.length, MAX_REFS_PER_BLOCK);
  assert.deepEqual(f.blocks[0]?.refs[MAX_REFS_PER_BLOCK - 1], { target: `p${MAX_REFS_PER_BLOCK - 1}`, kind: "page" });
  assert.deepEqual(f.blocks[1]?.refs, [{ target: "q", kind: "page" }]);
  assert.deepEqual(f.warnings, [`block at line 1: more than ${MAX_REFS_PER_BLOCK} refs; 1 more ignored`]);
});

test("a ref target of MAX_REF_TARGET_CHARS is kept, one character more is not (with a warning)", () => {
  const ok = "x".repeat(MAX_REF_TARGET_CHARS);
  const f = parse(`- [[${ok}]]\n- [[${ok}y]] #${ok}z`);
  assert.deepEqual(f.blocks[0]?.refs, [{ target: ok, kind: "page" }]);
  assert.deepEqual(f.blocks[1]?.refs, []);
  assert.deepEqual(f.warnings, [`block at line 2: 2 ref(s) longer than ${MAX_REF_TARGET_CHARS} characters ignored`]);
});

test("namespace parents stop at the block's ref-text limit, with a warning", () => {
  const target = "a/".repeat(400) + "b"; // 801 characters, 400 parents of 1 … 799 characters
  const text = `- [[${target}]]`;
  const f = parse(text);
  const refs = f.blocks[0]?.refs ?? [];
  assert.deepEqual(refs.slice(0, 3), [
    { target, kind: "page" },
    { target: "a", kind: "namespace" },
    { target: "a/a", kind: "namespace" },
  ]);
  assert.ok(refText(f) <= REF_TEXT_FACTOR * (text.length - 2) + MAX_REF_TARGET_CHARS);
  assert.ok(refs.length < 401);
  assert.deepEqual(f.warnings, [`block at line 1: refs longer in total than ${REF_TEXT_FACTOR}× the block; 1 more ignored`]);
});

test("property values: names as written at the ref, within the same limits", () => {
  const f = parse("- x\n  type:: see https://x.org/platform and #Platform, [[Web App]]");
  assert.deepEqual(f.blocks[0]?.properties["type"], ["Platform", "Web App"]);
  const long = "y".repeat(MAX_REF_TARGET_CHARS + 1);
  const g = parse(`- x\n  p:: [[${long}]] [[ok]]`);
  assert.deepEqual(g.blocks[0]?.properties["p"], ["ok"]);
  assert.deepEqual(g.warnings, [`block at line 1: 1 ref(s) longer than ${MAX_REF_TARGET_CHARS} characters ignored`]);
});

test("an unclosed fence or #+BEGIN_ opened on a bullet line warns (row 15b); closed ones do not", () => {
  assert.deepEqual(parse("- a\n- ```js\n  code\n- b").warnings, ["line 2: unclosed code fence ```"]);
  assert.deepEqual(parse("- ~~~~\n  code").warnings, ["line 1: unclosed code fence ~~~~"]);
  assert.deepEqual(parse("- #+BEGIN_SRC clojure\n  (x)").warnings, ["line 1: unclosed #+BEGIN_SRC"]);
  assert.deepEqual(parse("- ```js\n  code\n  ```\n- #+BEGIN_QUOTE\n  q\n  #+END_QUOTE").warnings, []);
  // long openers are shown by their length, not repeated into the warning
  assert.deepEqual(parse("- " + "`".repeat(5_000)).warnings, ["line 1: unclosed code fence ```… (5000 long)"]);
  assert.deepEqual(parse("#+BEGIN_" + "N".repeat(5_000)).warnings, [`line 1: unclosed #+BEGIN_${"N".repeat(40)}…`]);
});

test("#+END_ closes by case-insensitive prefix, as before", () => {
  const f = parse("- a\n  #+begin_src\n  [[hidden]]\n  #+end_SRC trailing\n  [[seen]]");
  assert.deepEqual(f.blocks[0]?.refs, [{ target: "seen", kind: "page" }]);
  assert.deepEqual(f.warnings, []);
});

test("warnings per file are capped, with a count of the rest", () => {
  const text = Array.from({ length: MAX_WARNINGS + 50 }, (_, k) => `#+BEGIN_X${k}`).join("\n");
  const w = parse(text).warnings;
  assert.equal(w.length, MAX_WARNINGS + 1);
  assert.equal(w[0], "line 1: unclosed #+BEGIN_X0");
  assert.equal(w[MAX_WARNINGS], "… and 50 more warning(s)");
});

test("a list nested 2,000 levels deep by indentation builds the whole tree", () => {
  const n = 2_000;
  const f = parse(Array.from({ length: n }, (_, k) => " ".repeat(k) + `- x${k}`).join("\n"));
  assert.equal(f.blocks.length, n);
  assert.deepEqual([f.blocks[n - 1]?.level, f.blocks[n - 1]?.parent, f.blocks[n - 1]?.content], [n, n - 2, `x${n - 1}`]);
});

test("Org: heading tags after a long blank run, and nested Org links, parse", () => {
  const f = parse("* title" + " ".repeat(50_000) + ":a:b:\n* " + "[[".repeat(5_000) + "x" + "]]".repeat(5_000), "pages/p.org");
  assert.deepEqual(f.blocks[0]?.refs, [{ target: "a", kind: "tag" }, { target: "b", kind: "tag" }]);
  assert.equal(f.blocks.length, 2);
});

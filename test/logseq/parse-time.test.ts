/**
 * Parsing time is linear in the input for every construct (issue #13 row 4):
 * a large pathological page parses within a generous multiple of the time a
 * normal page of the same size takes, both measured here, in the same test,
 * best of three; a case over that bound must still grow linearly: the
 * input in one piece takes at most 2.5 times as long as its four quarters
 * parsed one after another (linear: about 1×; quadratic: 4×). Quadratic
 * parsing missed the first bound by 100× or more at this size (an unclosed
 * `[[` per word: a minute for 889 KB). This is the one place tests time
 * anything, because the issue asks for exactly this bound.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { parseFile } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

const SIZE = 300_000;
const FACTOR = 10;
const FLOOR_MS = 50;

/** `unit` repeated up to `size` characters. */
const fill = (unit: string, size = SIZE) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const lines = (make: (k: number) => string, size = SIZE) => {
  const out: string[] = [];
  let total = 0;
  for (let k = 0; total < size; k++) {
    const l = make(k);
    out.push(l);
    total += l.length + 1;
  }
  return out.join("\n");
};

/** A normal page: bullets, nesting, refs, tags, emphasis, code, properties. */
const normalPage = (size: number) =>
  lines(
    (k) =>
      " ".repeat((k % 4) * 2) +
      `- block ${k} about [[Page ${k % 97}]] and #tag${k % 13}, **bold** text with \`code\` and [a link](https://example.com/${k})` +
      (k % 10 === 0 ? `\n  owner:: [[Person ${k % 7}]]` : ""),
    size,
  );

/**
 * CPU time, not wall time: on a loaded machine (CI beside other jobs, two
 * cores) wall time also counts the time this process waited for a core,
 * which hit the larger input more often and failed a linear case (160 ms
 * against a 129 ms bound, once in a full run at load ~10).
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function bestMs(parse: () => unknown, budgetMs: number, runs = 3): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const t0 = cpuMs();
    parse();
    best = Math.min(best, cpuMs() - t0);
    if (best <= budgetMs) break; // fast enough already: no need for the best of three
    if (budgetMs > 0 && best > 3 * budgetMs) break; // hopeless: two more runs cannot bring it under
  }
  return best;
}

/**
 * Time allowed for the whole input over its four quarters parsed in turn: 1
 * for linear time, 4 for quadratic. The quarters' results are kept until all
 * four are parsed, so both sides allocate as much and hold as much live: a
 * single quarter (the check until now) fitted in V8's young generation and
 * was never collected, while the whole input paid its scavenges, so a linear
 * case of tiny blocks grew 17× for 4× the input on a loaded machine (a
 * normal run of this file: 3-8×).
 */
const MAX_GROWTH = 2.5;

function assertLinear(hostile: string, path = "pages/p.md"): void {
  const parse = (text: string) => () => parseFile(path, text, defaultGraphConfig);
  const normal = normalPage(hostile.length);
  parse(normal)(); // warm up the parser's code paths
  const normalMs = bestMs(parse(normal), 0);
  const bound = FACTOR * normalMs + FLOOR_MS;
  const hostileMs = bestMs(parse(hostile), bound);
  if (hostileMs <= bound) return;
  // Over the bound: a linear parse with a high cost per item (tens of
  // thousands of one-word blocks), or a loaded machine? Then the time must
  // not depend on how the input is cut: the whole input takes about as long
  // as its quarters, where a quadratic parse takes four times as long.
  const cut = Math.floor(hostile.length / 4);
  const quarters = [0, 1, 2, 3].map((k) => hostile.slice(k * cut, k === 3 ? hostile.length : (k + 1) * cut));
  const quartersMs = bestMs(() => quarters.map((quarter) => parse(quarter)()), 0, 5);
  const wholeMs = Math.min(hostileMs, bestMs(parse(hostile), 0, 5));
  assert.ok(
    wholeMs <= MAX_GROWTH * quartersMs + FLOOR_MS,
    `${hostile.length} characters took ${wholeMs.toFixed(1)} ms; a normal page of that size ${normalMs.toFixed(1)} ms ` +
      `(bound ${bound.toFixed(1)} ms), and its four quarters one after another ${quartersMs.toFixed(1)} ms (growth over ${MAX_GROWTH}×)`,
  );
}

const CASES: Array<[string, () => string, string?]> = [
  ["unclosed [[ per word", () => "- " + fill("[[w1 ")],
  ["unclosed #[[", () => "- " + fill("#[[w ")],
  ["unclosed {{embed [[", () => "- " + fill("{{embed [[")],
  ["unclosed [label](", () => "- " + fill("[label](")],
  ["unclosed **", () => "- " + fill("**a ")],
  ["unclosed ~~", () => "- " + fill("~~a ")],
  ["unclosed ^^", () => "- " + fill("^^a ")],
  ["unclosed ==", () => "- " + fill("==a ")],
  ["unclosed $$", () => "- " + fill("$$a ")],
  ["a run of (", () => "- " + fill("(")],
  ["a run of )", () => "- " + fill(")")],
  ["a run of [", () => "- " + fill("[")],
  ["a run of ]", () => "- " + fill("]")],
  ["alternating [(", () => "- " + fill("[(")],
  ["a run of {", () => "- " + fill("{")],
  ["[ then ] runs (nested links)", () => "- " + "[".repeat(SIZE / 2) + "]".repeat(SIZE / 2)],
  ["closed nested links [[a0 [[a1 …", () => { const n = SIZE / 10; let s = "- "; for (let k = 0; k < n; k++) s += `[[a${k % 1000} `; return s + "]]".repeat(n); }],
  ["backtick runs of rising length", () => { let s = "- "; for (let k = 1; s.length < SIZE; k++) s += "`".repeat(k) + "x"; return s; }],
  ["unclosed (( on every line", () => lines(() => "- ((x")],
  ["unclosed {{ on every line", () => lines(() => "- {{x")],
  ["unclosed ** on every line", () => lines(() => "- **x")],
  ["unclosed [label]( on every line", () => lines(() => "- [x](")],
  ["#+BEGIN_ with distinct names, never ended", () => lines((k) => `#+BEGIN_X${k}`)],
  ["#+BEGIN_ on bullet lines, never ended", () => lines((k) => `- #+BEGIN_X${k}`)],
  ["code fences of falling length, never closed", () => { const n = Math.floor(Math.sqrt(SIZE)); return lines((k) => "`".repeat(n + 3 - (k % n))); }],
  ["a hashtag with a long delimiter run", () => "- #a" + fill(".") + "x"],
  ["a deep namespace", () => "- [[" + fill("a/") + "]]"],
  ["a property value with many refs", () => "- x\n  p:: " + lines((k) => `[[a${k}]]`).replaceAll("\n", " ")],
  ["a tags:: list with many names", () => "tags:: " + lines((k) => `t${k}`).replaceAll("\n", ", ") + "\n- x"],
  ["unclosed SCHEDULED timestamps", () => "- x\n  " + fill("SCHEDULED: <2024-01-01 ")],
  ["a list nested by indentation", () => lines((k) => " ".repeat(k) + "- x")],
  ["an Org heading with a long blank run", () => "* x" + fill(" ") + "a b:", "pages/p.org"],
  ["unclosed Org =verbatim=", () => "* " + fill("=a "), "pages/p.org"],
  ["unclosed Org [[ per word", () => "* " + fill("[[w "), "pages/p.org"],
];

for (const [name, make, path] of CASES) {
  test(`parsing time stays linear: ${name}`, { timeout: 120_000 }, () => assertLinear(make(), path));
}

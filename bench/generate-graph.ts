// Deterministic generator of realistic Logseq graphs for benchmarks and tests.
//
//   node dist/bench/generate-graph.js --files 20000 --seed 1 --out /tmp/g20k
//
// Same seed and options -> byte-identical files. Layout:
//   logseq/config.edn          (:file/name-format :triple-lowbar)
//   logseq/custom.css
//   pages/<name>.md|.org       namespaces as a___b___c, '?' as %3F
//   journals/yyyy_MM_dd.md|.org
//
// `GeneratedGraph.files` counts the page + journal files (always equal to
// `options.files`); `bytes` is the total size of everything written,
// including the two files under logseq/. `pageNames` lists the original page
// name of every page/journal file in generation order (regular pages first,
// then journals by their title, e.g. "Jun 30th, 2025"). Aliases from
// `alias::` are not in `pageNames`.

import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import { Random, ZipfSampler } from "./random.ts";

export type GenerateOptions = {
  files: number;
  seed?: number;
  orgFraction?: number /* default 0.05 */;
  journalFraction?: number /* default 0.3 */;
};
export type GeneratedGraph = { dir: string; files: number; bytes: number; pageNames: string[] };

/**
 * Marker words that never occur in the generated vocabulary, placed at known
 * spots (see `rareWordFiles`) so search tests can assert exact hits:
 * - `RARE_WORDS[0]` ("xylophrenic"): exactly once, in the first regular page
 *   (`pageNames[0]`), in plain block text.
 * - `RARE_WORDS[1]` ("quombatrix"): once in every regular page whose page
 *   index is a multiple of 97 (0, 97, 194, ...), in plain block text.
 * - `RARE_WORDS[2]` ("vendrelloux"): once in every journal whose journal
 *   index (0 = newest) is a multiple of 50, in plain block text.
 * - `RARE_WORDS[3]` ("plinquazor"): only inside a fenced/SRC code block, in
 *   the last regular page; full-text search that skips code must not find it.
 */
export const RARE_WORDS = ["xylophrenic", "quombatrix", "vendrelloux", "plinquazor"] as const;
export type RareWord = (typeof RARE_WORDS)[number];

/**
 * Strings that only ever appear inside inline code or code blocks. A parser
 * that skips code must report no page/tag/block ref for them; no page with
 * these names exists and `CODE_ONLY_REFS.blockUuid` is never an `id::`.
 */
export const CODE_ONLY_REFS = {
  page: "Phantom Code Page",
  tag: "phantomcodetag",
  blockUuid: "00000000-dead-4bee-8f00-c0de00000000",
} as const;

const DEFAULT_ORG_FRACTION = 0.05;
const DEFAULT_JOURNAL_FRACTION = 0.3;
const VOCABULARY_SIZE = 4000;
const BATCH_SIZE = 64;
/** Newest journal date; journals go back from here (with gaps). */
const NEWEST_JOURNAL_UTC = Date.UTC(2025, 5, 30);
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------
// Vocabulary

const STOPWORDS = [
  "the", "of", "and", "to", "a", "in", "is", "it", "that", "for", "on", "with", "as", "this",
  "was", "be", "at", "by", "not", "or", "from", "but", "are", "we", "an", "have", "which",
  "you", "all", "will", "can", "if", "they", "more", "about", "when", "there", "so", "do",
  "into", "then", "some", "what", "out", "need", "should", "next", "also", "why", "how",
];

const ONSETS = [
  "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
  "br", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "pl", "pr", "sc", "sk", "sl", "sm", "sn",
  "sp", "st", "str", "th", "tr", "ch", "sh", "qu", "",
];
const VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou", "io", "y"];
const CODAS = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "rk", "x", "ck", "ng", "th"];

const NON_ASCII = [
  "café", "naïve", "résumé", "façade", "Zürich", "jalapeño", "déjà vu", "coöperate", "São Paulo",
  "Ærø", "smörgåsbord", "piñata", "über", "crème brûlée", "Øresund",
  "東京", "日本語", "学习", "笔记", "知识管理", "会議", "프로젝트",
  "привет", "заметки", "данные", "проект", "встреча", "Москва",
];

const LANGS = ["js", "ts", "python", "clojure", "bash", "sql", "json", "rust"];
const DOMAINS = ["example.com", "example.org", "docs.example.net", "wiki.example.io", "blog.example.dev"];
const TASK_MARKERS = ["TODO", "TODO", "TODO", "DOING", "DONE", "DONE", "DONE", "LATER", "LATER", "NOW"];
const PRIORITIES = ["A", "B", "C"];
const TYPE_NAMES = ["Project", "Meeting", "Book", "Person", "Area", "Resource"];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function buildVocabulary(rng: Random): string[] {
  const reserved = new Set<string>([...STOPWORDS, ...RARE_WORDS, CODE_ONLY_REFS.tag]);
  const words: string[] = [...STOPWORDS];
  const seen = new Set<string>(words);
  while (words.length < VOCABULARY_SIZE) {
    const syllables = rng.pick([1, 2, 2, 2, 3, 3, 4]);
    let w = "";
    for (let i = 0; i < syllables; i++) {
      w += rng.pick(ONSETS) + rng.pick(VOWELS) + (i === syllables - 1 || rng.chance(0.3) ? rng.pick(CODAS) : "");
    }
    if (w.length < 3 || w.length > 14 || seen.has(w) || reserved.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words;
}

// ---------------------------------------------------------------------------
// Planning: names and paths of every file (cheap, no content)

type FileFormat = "md" | "org";
type FilePlan = {
  kind: "page" | "journal";
  format: FileFormat;
  /** Index among pages or among journals (0 = newest journal). */
  index: number;
  name: string;
  relPath: string;
  /** Journal date (UTC ms), journals only. */
  date: number;
};

type Plan = {
  files: FilePlan[];
  pages: FilePlan[];
  journals: FilePlan[];
  vocabulary: string[];
  seed: number;
};

function capitalize(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function journalTitle(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${ordinal(d.getUTCDate())}, ${d.getUTCFullYear()}`;
}

function journalFileBase(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}_${pad2(d.getUTCMonth() + 1)}_${pad2(d.getUTCDate())}`;
}

function logseqDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${WEEKDAYS[d.getUTCDay()]}`;
}

/** Page name -> file base name under :file/name-format :triple-lowbar. */
export function pageFileBase(name: string): string {
  return name
    .replace(/%/g, "%25")
    .replace(/\?/g, "%3F")
    .replace(/#/g, "%23")
    .replace(/\//g, "___");
}

/** Evenly spread `count` of `n` items: true for the chosen indexes. */
function spread(i: number, fraction: number): boolean {
  return Math.floor((i + 1) * fraction) > Math.floor(i * fraction);
}

function plan(options: GenerateOptions): Plan {
  const total = Math.floor(options.files);
  if (!Number.isFinite(total) || total < 0) throw new RangeError(`invalid files: ${options.files}`);
  const seed = (options.seed ?? 1) | 0;
  const orgFraction = clampFraction(options.orgFraction ?? DEFAULT_ORG_FRACTION);
  const journalFraction = clampFraction(options.journalFraction ?? DEFAULT_JOURNAL_FRACTION);
  const root = new Random(seed);
  const vocabulary = buildVocabulary(root.fork(1));
  const rng = root.fork(2);

  let journalCount = Math.round(total * journalFraction);
  if (journalCount === 0 && journalFraction > 0 && total >= 2) journalCount = 1;
  if (journalCount === total && journalFraction < 1 && total >= 2) journalCount = total - 1;
  const pageCount = total - journalCount;

  const used = new Set<string>();
  const pages: FilePlan[] = [];
  const nsRoots: string[] = [];
  const wordRank = new ZipfSampler(vocabulary.length - STOPWORDS.length, 0.8);
  const nameWord = (): string => vocabulary[STOPWORDS.length + wordRank.sample(rng)] as string;

  const freshName = (i: number): string => {
    for (;;) {
      let name: string;
      const r = rng.next();
      const wantNamespace = i === 1 || (i > 10 && r < 0.07);
      const wantQuestion = i === 2 || (i > 10 && r >= 0.07 && r < 0.072);
      const titleCase = rng.chance(0.6);
      const fmt = (w: string): string => (titleCase ? capitalize(w) : w);
      const words = rng.int(1, rng.chance(0.2) ? 4 : 2);
      const parts: string[] = [];
      for (let k = 0; k < words; k++) parts.push(fmt(nameWord()));
      if (rng.chance(0.02)) parts.push(rng.pick(NON_ASCII));
      name = parts.join(" ");
      if (wantNamespace) {
        if (nsRoots.length === 0 || (nsRoots.length < 40 && rng.chance(0.2))) {
          nsRoots.push(capitalize(nameWord()));
        }
        let prefix = rng.pick(nsRoots);
        if (rng.chance(0.35)) prefix += "/" + capitalize(nameWord());
        name = `${prefix}/${name}`;
        if (i === 1 && !name.includes("/", name.indexOf("/") + 1)) name = `${name}/${capitalize(nameWord())}`;
      } else if (wantQuestion) {
        name = `${capitalize(rng.pick(["what", "why", "how", "when", "where"]))} is ${name}?`;
      } else if (i >= 3 && i < 3 + TYPE_NAMES.length && pageCount >= 20) {
        name = TYPE_NAMES[i - 3] as string;
      }
      const key = name.toLowerCase();
      if (used.has(key)) continue;
      used.add(key);
      return name;
    }
  };

  for (let i = 0; i < pageCount; i++) {
    const name = freshName(i);
    const format: FileFormat = spread(i, orgFraction) ? "org" : "md";
    pages.push({ kind: "page", format, index: i, name, relPath: `pages/${pageFileBase(name)}.${format}`, date: 0 });
  }

  const journals: FilePlan[] = [];
  let day = NEWEST_JOURNAL_UTC;
  for (let j = 0; j < journalCount; j++) {
    const format: FileFormat = spread(j, orgFraction) ? "org" : "md";
    const name = journalTitle(day);
    used.add(name.toLowerCase());
    journals.push({ kind: "journal", format, index: j, name, relPath: `journals/${journalFileBase(day)}.${format}`, date: day });
    day -= DAY_MS * (1 + (rng.chance(0.15) ? rng.int(1, 3) : 0));
  }

  return { files: [...pages, ...journals], pages, journals, vocabulary, seed };
}

function clampFraction(f: number): number {
  if (!Number.isFinite(f)) return 0;
  return Math.min(1, Math.max(0, f));
}

/**
 * For each rare word, the relative paths (posix, e.g. "pages/foo.md") of the
 * files that contain it, for a graph generated with the same options.
 */
export function rareWordFiles(options: GenerateOptions): Record<RareWord, string[]> {
  const p = plan(options);
  const result: Record<RareWord, string[]> = {
    xylophrenic: [],
    quombatrix: [],
    vendrelloux: [],
    plinquazor: [],
  };
  for (const f of p.files) for (const w of rareWordsFor(f, p)) result[w].push(f.relPath);
  return result;
}

function rareWordsFor(f: FilePlan, p: Plan): RareWord[] {
  const out: RareWord[] = [];
  if (f.kind === "page") {
    if (f.index === 0) out.push("xylophrenic");
    if (f.index % 97 === 0) out.push("quombatrix");
    if (f.index === p.pages.length - 1) out.push("plinquazor");
  } else if (f.index % 50 === 0) {
    out.push("vendrelloux");
  }
  return out;
}

// ---------------------------------------------------------------------------
// Content

type Ctx = {
  rng: Random;
  vocab: string[];
  words: ZipfSampler;
  pageNames: string[];
  pageRank: ZipfSampler;
  /** Every `id::` written so far (earlier files or earlier in this file). */
  blockIds: string[];
  typeNames: string[];
};

function word(c: Ctx): string {
  return c.vocab[c.words.sample(c.rng)] as string;
}

function pageRef(c: Ctx): string {
  return c.pageNames[c.pageRank.sample(c.rng)] as string;
}

const SIMPLE_TAG = /^[\p{L}\p{N}_-]+$/u;

function tagText(name: string): string {
  return SIMPLE_TAG.test(name) ? `#${name}` : `#[[${name}]]`;
}

function url(c: Ctx): string {
  return `https://${c.rng.pick(DOMAINS)}/${word(c)}/${word(c)}${c.rng.chance(0.3) ? `?id=${c.rng.int(1, 9999)}` : ""}`;
}

/** One sentence of prose with inline markup. */
function sentence(c: Ctx, org: boolean): string {
  const r = c.rng;
  const n = r.int(3, 16);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = r.next();
    if (x < 0.045 && c.pageNames.length > 0) out.push(`[[${pageRef(c)}]]`);
    else if (x < 0.055 && c.pageNames.length > 0) out.push(tagText(pageRef(c)));
    else if (x < 0.06) out.push(org ? `~${word(c)}()~` : `\`${word(c)}()\``);
    else if (x < 0.066) out.push(org ? `*${word(c)}*` : `**${word(c)}**`);
    else if (x < 0.068) out.push(org ? `/${word(c)}/` : `_${word(c)}_`);
    else if (x < 0.071) out.push(org ? `[[${url(c)}][${word(c)}]]` : `[${word(c)} ${word(c)}](${url(c)})`);
    else if (x < 0.073) out.push(url(c));
    else if (x < 0.077) out.push(r.pick(NON_ASCII));
    else if (x < 0.079 && c.blockIds.length > 0) out.push(`((${r.pick(c.blockIds)}))`);
    else if (x < 0.0795) out.push(org ? `~[[${CODE_ONLY_REFS.page}]]~` : `\`[[${CODE_ONLY_REFS.page}]]\``);
    else out.push(word(c));
  }
  const s = out.join(" ");
  return capitalize(s) + r.pick([".", ".", ".", ".", "!", "?", ":", ""]);
}

function paragraph(c: Ctx, org: boolean): string {
  const k = c.rng.chance(0.7) ? 1 : c.rng.int(2, 3);
  const out: string[] = [];
  for (let i = 0; i < k; i++) out.push(sentence(c, org));
  return out.join(" ");
}

function scheduledDate(c: Ctx): string {
  const ms = Date.UTC(2023, 0, 1) + c.rng.int(0, 900) * DAY_MS;
  return logseqDate(ms);
}

function codeLines(c: Ctx, lang: string, rare: boolean): string[] {
  const r = c.rng;
  const lines: string[] = [];
  const n = r.int(2, 9);
  const ident = (): string => `${word(c)}_${word(c)}`;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    if (x < 0.25) lines.push(`// see [[${CODE_ONLY_REFS.page}]] and ((${CODE_ONLY_REFS.blockUuid}))`);
    else if (x < 0.35) lines.push(`const tag = "#${CODE_ONLY_REFS.tag}"; // TODO not a task`);
    else if (lang === "python") lines.push(`${ident()} = ${word(c)}(${r.int(0, 99)})`);
    else if (lang === "sql") lines.push(`SELECT ${word(c)} FROM ${word(c)} WHERE id = ${r.int(1, 999)};`);
    else if (lang === "clojure") lines.push(`(defn ${word(c)}-${word(c)} [x] (inc x))`);
    else if (lang === "bash") lines.push(`${word(c)} --${word(c)} ./${word(c)}.txt`);
    else if (lang === "json") lines.push(`{"${word(c)}": ${r.int(0, 999)}, "${word(c)}": "${word(c)}"}`);
    else lines.push(`let ${ident()} = ${word(c)}(${r.int(0, 99)});`);
  }
  if (rare) lines.splice(1, 0, `// ${RARE_WORDS[3]} marker inside code only`);
  return lines;
}

function propertyValue(c: Ctx): string {
  const r = c.rng;
  const x = r.next();
  if (x < 0.3 && c.pageNames.length > 0) return `[[${pageRef(c)}]]`;
  if (x < 0.5) return String(r.int(1, 5));
  if (x < 0.6) return r.chance(0.5) ? "true" : "false";
  return `${word(c)} ${word(c)}`;
}

type BlockOut = { head: string; extra: string[]; children: number };

/** Build one block's first line (after the marker) and continuation lines. */
function blockBody(c: Ctx, org: boolean, level: number, rare: string | null, codeRare: boolean, journalDate: number): BlockOut {
  const r = c.rng;
  const extra: string[] = [];
  let head: string;
  const x = r.next();
  if (x < 0.14) {
    const marker = r.pick(TASK_MARKERS);
    const prio = r.chance(0.3) ? ` [#${r.pick(PRIORITIES)}]` : "";
    head = `${marker}${prio} ${sentence(c, org)}`;
    if (r.chance(0.3)) extra.push(`SCHEDULED: <${journalDate ? logseqDate(journalDate + r.int(0, 14) * DAY_MS) : scheduledDate(c)}>`);
    else if (r.chance(0.1)) extra.push(`DEADLINE: <${scheduledDate(c)}>`);
  } else if (x < 0.16 && c.pageNames.length > 0) {
    head = r.chance(0.7) || c.blockIds.length === 0 ? `{{embed [[${pageRef(c)}]]}}` : `{{embed ((${r.pick(c.blockIds)}))}}`;
  } else if (x < 0.17 && c.pageNames.length > 0) {
    const q = r.next();
    if (q < 0.4) head = `{{query (and [[${pageRef(c)}]] (task TODO DOING))}}`;
    else if (q < 0.7) head = `{{query (property type [[${r.pick(c.typeNames)}]])}}`;
    else head = `{{query "${word(c)} ${word(c)}"}}`;
  } else if (x < 0.2 && level > 0 && c.blockIds.length > 0) {
    head = `((${r.pick(c.blockIds)})) ${sentence(c, org)}`;
  } else if (x < 0.23 && !org) {
    head = paragraph(c, org);
    const lang = r.pick(LANGS);
    extra.push("```" + lang, ...codeLines(c, lang, codeRare), "```");
    codeRare = false;
  } else if (x < 0.24 && org) {
    head = paragraph(c, org);
    const lang = r.pick(LANGS);
    extra.push(`#+BEGIN_SRC ${lang}`, ...codeLines(c, lang, codeRare), "#+END_SRC");
    codeRare = false;
  } else {
    head = paragraph(c, org);
    if (r.chance(0.12)) extra.push(paragraph(c, org));
  }
  if (rare) head = `${head} ${rare} ${word(c)}.`;
  if (codeRare) {
    if (org) extra.push("#+BEGIN_SRC text", ...codeLines(c, "text", true), "#+END_SRC");
    else extra.push("```text", ...codeLines(c, "text", true), "```");
  }
  return { head, extra, children: 0 };
}

/** Render a whole file. `target` is an approximate size in characters. */
function renderFile(c: Ctx, f: FilePlan, p: Plan, target: number): string {
  const r = c.rng;
  const org = f.format === "org";
  const out: string[] = [];
  let size = 0;
  const push = (line: string): void => {
    out.push(line);
    size += line.length + 1;
  };
  const rares = rareWordsFor(f, p);
  const textRares = rares.filter((w) => w !== "plinquazor");
  const codeRare = rares.includes("plinquazor");

  // Page-level properties.
  const props: [string, string][] = [];
  if (f.kind === "page") {
    if (f.name.includes("/") && r.chance(0.3)) props.push(["title", f.name]);
    if (r.chance(0.35)) props.push(["type", `[[${r.pick(c.typeNames)}]]`]);
    if (r.chance(0.3) && c.pageNames.length > 1) {
      const k = r.int(1, 3);
      const tags: string[] = [];
      for (let i = 0; i < k; i++) tags.push(pageRef(c));
      props.push(["tags", tags.map((t) => (r.chance(0.5) ? `[[${t}]]` : t.includes(",") ? `[[${t}]]` : t)).join(", ")]);
    }
    if (r.chance(0.06)) props.push(["alias", `${f.name.replace(/\//g, " ")} (${r.pick(["alt", "old", "aka", "abbr"])})`]);
    if (r.chance(0.15)) props.push(["status", r.pick(["active", "done", "someday", "draft"])]);
    if (r.chance(0.1)) props.push(["source", url(c)]);
  } else if (r.chance(0.05)) {
    props.push(["mood", r.pick(["good", "tired", "focused", "meh"])]);
  }

  if (org) {
    if (f.kind === "page") push(`#+title: ${f.name}`);
    for (const [k, v] of props) if (k !== "title") push(`#+${k}: ${v}`);
    if (out.length > 0) push("");
  } else if (props.length > 0) {
    for (const [k, v] of props) push(`${k}:: ${v}`);
    push("");
  }

  const indentUnit = !org && r.chance(0.06) ? "  " : "\t";
  const useHeadings = !org && f.kind === "page" && r.chance(0.25);
  let level = 0;
  let nextLevel = 0;
  let blockNo = 0;
  let pendingRares = [...textRares];
  let pendingCode = codeRare;
  let nextHeadingAt = useHeadings ? 0 : -1;

  while (size < target || blockNo === 0 || pendingRares.length > 0 || pendingCode) {
    level = nextLevel;
    // Decide the following block's level now so `collapsed::` is only on parents.
    const up = r.next();
    nextLevel = up < 0.38 ? Math.min(level + 1, 4) : up < 0.7 ? level : up < 0.88 ? Math.max(level - 1, 0) : 0;
    const hasChildren = nextLevel > level;

    const rare = pendingRares.length > 0 && (blockNo > 0 || r.chance(0.5)) ? (pendingRares.shift() as string) : null;
    const codeRareNow = pendingCode && blockNo >= 1;
    if (codeRareNow) pendingCode = false;

    let body: BlockOut;
    if (useHeadings && level === 0 && blockNo === nextHeadingAt) {
      const h = blockNo === 0 && r.chance(0.5) ? "#" : "##";
      const title = capitalize(`${word(c)} ${word(c)}${r.chance(0.5) ? ` ${word(c)}` : ""}`);
      body = { head: `${h} ${rare ? `${title} ${rare}` : title}`, extra: [], children: 0 };
      nextHeadingAt = blockNo + r.int(3, 12);
      if (codeRareNow) pendingCode = true;
    } else {
      body = blockBody(c, org, level, rare, codeRareNow, f.kind === "journal" ? f.date : 0);
    }

    const blockProps: [string, string][] = [];
    let id: string | null = null;
    if (r.chance(0.07)) {
      id = r.uuid();
      blockProps.push(["id", id]);
    }
    if (hasChildren && r.chance(0.12)) blockProps.push(["collapsed", "true"]);
    if (r.chance(0.025)) blockProps.push([r.pick(["rating", "source", "author", "category"]), propertyValue(c)]);

    if (org) {
      const stars = "*".repeat(level + 1);
      push(`${stars} ${body.head}`);
      let rest = body.extra;
      if (rest[0] !== undefined && /^(SCHEDULED|DEADLINE):/.test(rest[0])) {
        push(rest[0]);
        rest = rest.slice(1);
      }
      if (blockProps.length > 0) {
        push(":PROPERTIES:");
        for (const [k, v] of blockProps) push(`:${k}: ${v}`);
        push(":END:");
      }
      for (const line of rest) push(line);
    } else {
      const ind = indentUnit.repeat(level);
      const cont = `${ind}  `;
      push(`${ind}- ${body.head}`);
      // Task timestamps come straight after the first line, then properties.
      let rest = body.extra;
      if (rest[0] !== undefined && /^(SCHEDULED|DEADLINE):/.test(rest[0])) {
        push(cont + rest[0]);
        rest = rest.slice(1);
      }
      for (const [k, v] of blockProps) push(`${cont}${k}:: ${v}`);
      for (const line of rest) push(line === "" ? "" : cont + line);
    }
    if (id) c.blockIds.push(id);
    blockNo++;
    if (blockNo > 5000) break;
  }
  pendingRares = [];
  return out.join("\n") + "\n";
}

/** Target file size in characters: mostly 0.3-4 KB with a long tail to ~100 KB. */
function targetSize(r: Random, kind: "page" | "journal"): number {
  const x = r.next();
  let size: number;
  if (x < 0.9) size = r.logUniform(300, 3600);
  else if (x < 0.985) size = r.logUniform(3600, 14000);
  else size = r.logUniform(14000, 100000);
  return (kind === "journal" ? 0.55 : 0.78) * size;
}

// ---------------------------------------------------------------------------
// Files

const CONFIG_EDN = `{:meta/version 1

 ;; Generated by sync-pipeline bench/generate-graph.ts (deterministic benchmark graph).
 :preferred-format "Markdown"
 :preferred-workflow :todo
 :hidden []
 :default-templates {:journals ""}
 :journal/page-title-format "MMM do, yyyy"
 :journal/file-name-format "yyyy_MM_dd"
 :ui/show-brackets? true
 :feature/enable-journals? true
 :feature/enable-whiteboards? false
 :property-pages/enabled? true
 :property-pages/excludelist #{:status :rating}
 :favorites ["Project" "Meeting"]
 :macros {"poem" "Rose is $1, violet's $2. Life's ordered: Org assists you."}
 :default-queries
 {:journals
  [{:title "🔨 NOW"
    :query [:find (pull ?h [*])
            :in $ ?start ?today
            :where
            [?h :block/marker ?marker]
            [(contains? #{"NOW" "DOING"} ?marker)]]
    :inputs [:-14d :today]
    :collapsed? false}]}
 :file/name-format :triple-lowbar}
`;

const CUSTOM_CSS = `/* generated benchmark graph */\n`;

export async function generateGraph(dir: string, options: GenerateOptions): Promise<GeneratedGraph> {
  const p = plan(options);
  const root = new Random(p.seed ^ 0x5bd1e995);
  const rng = root.fork(3);
  const sizeRng = root.fork(4);
  const pageNames = p.files.map((f) => f.name);
  const ctx: Ctx = {
    rng,
    vocab: p.vocabulary,
    words: new ZipfSampler(p.vocabulary.length, 1.0),
    pageNames,
    pageRank: new ZipfSampler(Math.max(1, pageNames.length), 0.9),
    blockIds: [],
    typeNames: p.pages.length >= 20 ? TYPE_NAMES.slice() : pageNames.slice(0, Math.max(1, Math.min(6, pageNames.length))),
  };
  if (pageNames.length === 0) ctx.typeNames = TYPE_NAMES.slice();

  const out = resolve(dir);
  await mkdir(join(out, "pages"), { recursive: true });
  await mkdir(join(out, "journals"), { recursive: true });
  await mkdir(join(out, "logseq"), { recursive: true });

  let bytes = 0;
  const writeText = async (rel: string, text: string): Promise<void> => {
    const buf = Buffer.from(text, "utf8");
    bytes += buf.byteLength;
    await writeFile(join(out, rel), buf);
  };

  await Promise.all([writeText("logseq/config.edn", CONFIG_EDN), writeText("logseq/custom.css", CUSTOM_CSS)]);

  // Generate batch k+1 while batch k is being written.
  let inFlight: Promise<void[]> | null = null;
  for (let start = 0; start < p.files.length; start += BATCH_SIZE) {
    const batch: [string, string][] = [];
    for (let i = start; i < Math.min(start + BATCH_SIZE, p.files.length); i++) {
      const f = p.files[i] as FilePlan;
      batch.push([f.relPath, renderFile(ctx, f, p, targetSize(sizeRng, f.kind))]);
    }
    if (inFlight) await inFlight;
    inFlight = Promise.all(batch.map(([rel, text]) => writeText(rel, text)));
  }
  if (inFlight) await inFlight;

  return { dir: out, files: p.files.length, bytes, pageNames };
}

// ---------------------------------------------------------------------------
// CLI

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      files: { type: "string", default: "1000" },
      seed: { type: "string", default: "1" },
      out: { type: "string" },
      "org-fraction": { type: "string" },
      "journal-fraction": { type: "string" },
    },
    strict: true,
  });
  if (!values.out) {
    process.stderr.write(
      "usage: generate-graph --files N [--seed S] [--org-fraction F] [--journal-fraction F] --out DIR\n",
    );
    process.exitCode = 2;
    return;
  }
  const options: GenerateOptions = { files: Number(values.files), seed: Number(values.seed) };
  if (values["org-fraction"] !== undefined) options.orgFraction = Number(values["org-fraction"]);
  if (values["journal-fraction"] !== undefined) options.journalFraction = Number(values["journal-fraction"]);
  const t0 = performance.now();
  const g = await generateGraph(values.out, options);
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(
    JSON.stringify({ dir: g.dir, files: g.files, bytes: g.bytes, mb: +(g.bytes / 1e6).toFixed(2), seed: options.seed ?? 1, ms }) + "\n",
  );
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}

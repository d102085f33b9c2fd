/**
 * A small EDN reader, enough for Logseq's `config.edn`: comments (`;`),
 * commas as whitespace, nil/booleans, numbers, strings with escapes,
 * characters, keywords, symbols, lists, vectors, maps, sets `#{}`,
 * regexes `#"..."`, discard `#_` and tagged literals (`#inst "..."`).
 * Throws `EdnError` on malformed input and on nesting deeper than
 * `MAX_EDN_DEPTH`; never recurses.
 */

export type EdnKeyword = { kw: string };
export type EdnSymbol = { sym: string };
export type EdnValue =
  | null
  | boolean
  | number
  | string
  | EdnKeyword
  | EdnSymbol
  | EdnValue[]
  | EdnMap
  | EdnSet
  | EdnRegex
  | EdnTagged;
export type EdnMap = { map: Array<[EdnValue, EdnValue]> };
export type EdnSet = { set: EdnValue[] };
export type EdnRegex = { regex: string };
export type EdnTagged = { tag: string; value: EdnValue };

export class EdnError extends Error {}

/** Deepest nesting read (collections, tagged literals, `#_`); Logseq's own config.edn nests about 6 deep. */
export const MAX_EDN_DEPTH = 1_000;

const DELIMS = new Set(["(", ")", "[", "]", "{", "}", '"', ";"]);

function isWs(c: string): boolean {
  return c === " " || c === "\n" || c === "\t" || c === "\r" || c === "," || c === "\f";
}

export function readEdn(text: string): EdnValue {
  let i = 0;
  const n = text.length;

  function lineOf(pos: number): number {
    let line = 1;
    for (let j = 0; j < pos && j < n; j++) if (text.charCodeAt(j) === 10) line++;
    return line;
  }
  function fail(msg: string, pos: number = i): never {
    throw new EdnError(`${msg} at line ${lineOf(pos)}`);
  }
  function skipWs(): void {
    while (i < n) {
      const c = text[i] as string;
      if (isWs(c)) i++;
      else if (c === ";") {
        const nl = text.indexOf("\n", i);
        i = nl < 0 ? n : nl + 1;
      } else break;
    }
  }
  function readToken(): string {
    const start = i;
    while (i < n) {
      const c = text[i] as string;
      if (isWs(c) || DELIMS.has(c)) break;
      i++;
    }
    return text.slice(start, i);
  }
  function readString(): string {
    // at opening quote
    const start = i;
    i++;
    const parts: string[] = [];
    let runStart = i;
    while (true) {
      if (i >= n) fail("unterminated string", start);
      const c = text[i];
      if (c === '"') {
        parts.push(text.slice(runStart, i));
        i++;
        return parts.join("");
      }
      if (c === "\\") {
        parts.push(text.slice(runStart, i));
        const e = text[i + 1];
        if (e === undefined) fail("unterminated string", start);
        switch (e) {
          case "n": parts.push("\n"); break;
          case "t": parts.push("\t"); break;
          case "r": parts.push("\r"); break;
          case "b": parts.push("\b"); break;
          case "f": parts.push("\f"); break;
          case '"': parts.push('"'); break;
          case "\\": parts.push("\\"); break;
          case "u": {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
            parts.push(String.fromCharCode(parseInt(hex, 16)));
            i += 4;
            break;
          }
          default:
            fail(`bad string escape \\${e}`);
        }
        i += 2;
        runStart = i;
        continue;
      }
      i++;
    }
  }
  function readRegex(): string {
    // at opening quote; backslashes are kept verbatim
    const start = i;
    i++;
    const runStart = i;
    while (true) {
      if (i >= n) fail("unterminated regex", start);
      const c = text[i];
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === '"') {
        const s = text.slice(runStart, i);
        i++;
        return s;
      }
      i++;
    }
  }
  const DISCARD = Symbol("discard");
  type Read = EdnValue | typeof DISCARD;
  /**
   * What an unfinished form waits for: a collection its items and closer, a
   * tagged literal or `#_` the next form. An explicit stack, not recursion:
   * nesting depth is the file's to choose, and is capped with an error.
   */
  type Frame =
    | { kind: "seq"; close: string; open: number; items: EdnValue[]; as: "list" | "vector" | "map" | "set" }
    | { kind: "tag"; tag: string }
    | { kind: "discard" };
  const stack: Frame[] = [];
  const push = (f: Frame) => {
    if (stack.length >= MAX_EDN_DEPTH) fail(`nested deeper than ${MAX_EDN_DEPTH} levels`);
    stack.push(f);
  };
  const seq = (close: string, as: "list" | "vector" | "map" | "set", open: number): Frame => ({ kind: "seq", close, open, items: [], as });

  /** Reads one top-level form. */
  function readForm(): Read {
    for (;;) {
      skipWs();
      if (i >= n) {
        const top = stack[stack.length - 1];
        if (top !== undefined && top.kind === "seq") fail(`unclosed '${text[top.open]}'`, top.open);
        fail("unexpected end of input");
      }
      const c = text[i] as string;
      let value: Read;
      switch (c) {
        case "(":
          push(seq(")", "list", i++));
          continue;
        case "[":
          push(seq("]", "vector", i++));
          continue;
        case "{":
          push(seq("}", "map", i++));
          continue;
        case ")":
        case "]":
        case "}": {
          const top = stack[stack.length - 1];
          if (top === undefined || top.kind !== "seq" || top.close !== c) return fail(`unexpected '${c}'`);
          stack.pop();
          i++;
          value = collection(top.items, top.as);
          break;
        }
        case '"':
          value = readString();
          break;
        case "\\": {
          // character literal: \a, \newline, \u00e9
          const c0 = text[i + 1];
          if (c0 === undefined) fail("bad character literal");
          const tok = c0 + readTokenFrom(i + 2);
          const named: Record<string, string> = { newline: "\n", space: " ", tab: "\t", return: "\r", backspace: "\b", formfeed: "\f" };
          if (tok.length === 1) value = tok;
          else if (named[tok] !== undefined) value = named[tok];
          else if (/^u[0-9a-fA-F]{4}$/.test(tok)) value = String.fromCharCode(parseInt(tok.slice(1), 16));
          else return fail(`bad character literal \\${tok}`);
          break;
        }
        case "#": {
          const d = text[i + 1];
          if (d === "{") {
            push(seq("}", "set", i + 1));
            i += 2;
            continue;
          }
          if (d === '"') {
            i++;
            value = { regex: readRegex() };
            break;
          }
          if (d === "_") {
            i += 2;
            push({ kind: "discard" });
            continue;
          }
          if (d === "#") {
            i += 2;
            const t = readToken();
            value = t === "Inf" ? Infinity : t === "-Inf" ? -Infinity : NaN;
            break;
          }
          i++;
          const tag = readToken();
          if (tag === "") fail("bad dispatch '#'");
          push({ kind: "tag", tag });
          continue;
        }
        case "'":
        case "@":
        case "`":
          // reader macros: quote and friends; keep the form
          i++;
          continue;
        default: {
          const start = i;
          const tok = readToken();
          if (tok === "") fail(`unexpected '${c}'`, start);
          value = atom(tok, start);
        }
      }
      // hand the finished form to what waits for it
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return value;
        if (top.kind === "seq") {
          if (value !== DISCARD) top.items.push(value);
          break;
        }
        stack.pop();
        if (top.kind === "discard") value = DISCARD;
        else {
          if (value === DISCARD) fail("tagged literal without value");
          value = { tag: top.tag, value };
        }
      }
    }
  }
  function collection(items: EdnValue[], as: "list" | "vector" | "map" | "set"): EdnValue {
    if (as === "set") return { set: items };
    if (as !== "map") return items;
    if (items.length % 2 !== 0) fail("map with an odd number of forms");
    const map: Array<[EdnValue, EdnValue]> = [];
    for (let k = 0; k < items.length; k += 2) map.push([items[k] as EdnValue, items[k + 1] as EdnValue]);
    return { map };
  }
  function readTokenFrom(pos: number): string {
    let j = pos;
    while (j < n) {
      const c = text[j] as string;
      if (isWs(c) || DELIMS.has(c)) break;
      j++;
    }
    const s = text.slice(pos, j);
    i = j;
    return s;
  }
  function atom(tok: string, start: number): EdnValue {
    if (tok === "nil") return null;
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (tok[0] === ":") {
      if (tok.length === 1) fail("empty keyword", start);
      return { kw: tok.slice(tok[1] === ":" ? 2 : 1) };
    }
    if (/^[+-]?\d/.test(tok)) {
      const num = tok.replace(/[NM]$/, "");
      if (/^[+-]?\d+\/\d+$/.test(num)) {
        const [a, b] = num.split("/");
        return Number(a) / Number(b);
      }
      const v = Number(num);
      if (Number.isNaN(v)) fail(`bad number '${tok}'`, start);
      return v;
    }
    return { sym: tok };
  }

  const v = readForm();
  skipWs();
  if (i < n) fail("unexpected content after the top-level form");
  if (v === DISCARD) fail("no form");
  return v as EdnValue;
}

export function isKeyword(v: EdnValue | undefined): v is EdnKeyword {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "kw" in v;
}
export function isMap(v: EdnValue | undefined): v is EdnMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "map" in v;
}
export function isSet(v: EdnValue | undefined): v is EdnSet {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "set" in v;
}
/** The value under keyword key `kw` in map `m`. */
export function mapGet(m: EdnMap, kw: string): EdnValue | undefined {
  for (const [k, v] of m.map) if (isKeyword(k) && k.kw === kw) return v;
  return undefined;
}

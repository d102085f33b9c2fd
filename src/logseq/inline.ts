/**
 * Inline reference scanning: page refs, tags, block refs and embeds in a
 * piece of block text, following mldoc's inline syntax closely enough for
 * indexing. Inline code, `$$…$$`, Org verbatim and macros other than
 * `embed` hide what is inside them.
 *
 * Hostile text cannot make it slow or deep: where an opener closes comes
 * from `InlineClosers` (one pass per range, remembered), and nested links
 * `[[a [[b]] c]]` are read with an explicit stack of ranges, not recursion.
 */
import type { BlockRef } from "./types.ts";
import type { RefLimitCounts } from "./ref-collector.ts";
import { isUuid } from "./hash.ts";
import { InlineClosers, PAIR_CLOSE_BRACE, PAIR_CLOSE_PAREN, PAIR_DOLLARS, PAIR_LINK_MIDDLE } from "./inline-closers.ts";
import { RefCollector } from "./ref-collector.ts";

export { RefCollector } from "./ref-collector.ts";

const C_BACKTICK = 96;
const C_LBRACK = 91;
const C_RBRACK = 93;
const C_HASH = 35;
const C_LPAREN = 40;
const C_RPAREN = 41;
const C_LBRACE = 123;
const C_RBRACE = 125;
const C_DOLLAR = 36;
const C_BACKSLASH = 92;
const C_EQ = 61;
const C_TILDE = 126;
const C_COLON = 58;
const C_NL = 10;
const C_BANG = 33;

/** ASCII characters `scanInline` passes over without looking (1 = inert). */
const INERT = new Uint8Array(128).fill(1);
for (const ch of "*_~^=\\`$[(!{#:") INERT[ch.charCodeAt(0)] = 0;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0x3000;
}

/** mldoc's hashtag delimiters. */
function isTagDelim(c: number): boolean {
  // , ; . ! ? ' " :
  return c === 44 || c === 59 || c === 46 || c === 33 || c === 63 || c === 39 || c === 34 || c === 58;
}

/**
 * Parses a hashtag name at `i` (just after `#`) per mldoc's rules; returns
 * the end index (exclusive) or -1 when there is no tag.
 */
function tagEnd(text: string, i: number, end: number, closers: InlineClosers): number {
  let j = i;
  let delimRunEnd = -1; // end of the delimiter run j is in, once measured (a run is measured once, not per char)
  while (j < end) {
    const c = text.charCodeAt(j);
    if (c === C_LBRACK && text.charCodeAt(j + 1) === C_LBRACK) {
      const e = closers.doubleBracket(j, end);
      if (e > 0) {
        j = e;
        continue;
      }
    }
    if (isSpace(c) || c === C_HASH) break;
    if (isTagDelim(c)) {
      // a run of delimiters before whitespace / end finishes the tag
      if (j >= delimRunEnd) {
        delimRunEnd = j;
        while (delimRunEnd < end && isTagDelim(text.charCodeAt(delimRunEnd))) delimRunEnd++;
      }
      const k = delimRunEnd;
      if (k >= end || isSpace(text.charCodeAt(k))) break;
      // otherwise only '.' and ';' may continue the name
      if (c === 46 || c === 59) {
        j++;
        continue;
      }
      break;
    }
    j++;
  }
  return j > i ? j : -1;
}

function stripPageRef(s: string): string {
  const t = s.trim();
  if (t.length > 4 && t.startsWith("[[") && t.endsWith("]]")) return t.slice(2, -2);
  return t;
}

/** Org `[[target][label]]` / `[[target]]` and Markdown `[[target]]`: the page a link target names, or null (URLs, files). */
function pageFromLinkTarget(target: string, org: boolean): string | null {
  const t = target.trim();
  if (t === "") return null;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(t)) return null; // url, file:, id:
  if (org) {
    const c = t.charCodeAt(0);
    if (c === C_HASH || c === 42 /* * */ || c === 47 /* / */ || c === 46 /* . */) return null;
  }
  return t;
}

/** A nested link's range being read; the enclosing range resumes after it. */
type Frame = { start: number; end: number; resume: number; noTagUntil: number };

/**
 * Scans text[start, end) for refs and adds them to `out`. `org` switches to
 * Org inline syntax (`[[target][label]]`, `=verbatim=`, `~code~`).
 */
export function scanInline(text: string, start: number, end: number, org: boolean, out: RefCollector): void {
  let closersMemo: InlineClosers | null = null;
  const rangeStart = start;
  const rangeEnd = end;
  const closers = (): InlineClosers => (closersMemo ??= new InlineClosers(text, rangeStart, rangeEnd));
  // nested links [[a [[b]] c]]: the inner range is read next, then the outer one resumes (no recursion)
  const frames: Frame[] = [];
  let i = start;
  // mldoc does not read hashtags inside emphasis (**…**, *…*, ~~…~~, ==…==, ^^…^^, __…__)
  let noTagUntil = -1;
  for (;;) {
    if (i >= end) {
      const f = frames.pop();
      if (f === undefined) return;
      ({ start, end, noTagUntil } = f);
      i = f.resume;
      continue;
    }
    let c = text.charCodeAt(i);
    // skip characters that start nothing
    while (c >= 128 || INERT[c] === 1) {
      if (++i >= end) break;
      c = text.charCodeAt(i);
    }
    if (i >= end) continue;
    switch (c) {
      case 42: // *
      case 95: // _
      case C_TILDE:
      case 94: // ^
      case C_EQ: {
        if (org && (c === C_EQ || c === C_TILDE)) {
          const e = orgVerbatimEnd(text, i, end, closers());
          if (e > 0) {
            i = e;
            continue;
          }
        }
        let n = 1;
        if (text.charCodeAt(i + 1) === c) n = 2;
        if (i >= noTagUntil) {
          const close = emphasisClose(text, i, n, end, org, closers());
          if (close > 0) noTagUntil = close;
        }
        i += n;
        continue;
      }
      case C_BACKSLASH:
        i += 2;
        continue;
      case C_BACKTICK: {
        let n = 1;
        while (text.charCodeAt(i + n) === C_BACKTICK) n++;
        const cl = closers();
        const closed = cl.backtickCloser(n, i + n, lineEnd(cl, i, end));
        i = closed > 0 ? closed : i + n;
        continue;
      }
      case C_DOLLAR: {
        if (text.charCodeAt(i + 1) === C_DOLLAR) {
          const k = closers().pair(PAIR_DOLLARS, i + 2);
          if (k >= 0 && k + 2 <= end) {
            i = k + 2;
            continue;
          }
        }
        i++;
        continue;
      }
      case C_LBRACK: {
        // task priority [#A]
        if (text.charCodeAt(i + 1) === C_HASH && text.charCodeAt(i + 3) === C_RBRACK) {
          const p = text.charCodeAt(i + 2);
          if (p >= 65 && p <= 67) {
            i += 4;
            continue;
          }
        }
        if (text.charCodeAt(i + 1) === C_LBRACK) {
          const e = closers().doubleBracket(i, end);
          if (e < 0) {
            i += 2;
            continue;
          }
          const inner = text.slice(i + 2, e - 2);
          if (org) {
            const sep = inner.indexOf("][");
            const target = sep >= 0 ? inner.slice(0, sep) : inner;
            const page = pageFromLinkTarget(target, true);
            if (page !== null) out.add("page", page);
          } else if (inner.indexOf("[[") >= 0) {
            // nested link [[a [[b]] c]]: refs the whole, then the inner ones
            out.add("page", inner);
            frames.push({ start, end, resume: e, noTagUntil });
            start = i + 2;
            end = e - 2;
            noTagUntil = -1;
            i = start;
            continue;
          } else if (inner.trim() !== "") {
            out.add("page", inner);
          }
          i = e;
          continue;
        }
        if (!org) {
          // Markdown link [label](target)
          const cl = closers();
          const le = lineEnd(cl, i, end);
          const close = cl.pair(PAIR_LINK_MIDDLE, i + 1);
          if (close > 0 && close < le) {
            const target = cl.closeParen(close + 1, le);
            if (target > 0) {
              const t = text.slice(close + 2, target - 1).trim();
              if (t.startsWith("[[") && t.endsWith("]]")) out.add("page", t.slice(2, -2));
              else if (t.startsWith("((") && t.endsWith("))") && isUuid(t.slice(2, -2).trim())) out.add("block", t.slice(2, -2));
              i = target;
              continue;
            }
          }
        }
        i++;
        continue;
      }
      case C_BANG: {
        i++;
        continue;
      }
      case C_LPAREN: {
        if (text.charCodeAt(i + 1) === C_LPAREN) {
          const cl = closers();
          const k = cl.pair(PAIR_CLOSE_PAREN, i + 2);
          if (k > 0 && k < lineEnd(cl, i, end)) {
            const id = text.slice(i + 2, k).trim();
            if (isUuid(id)) out.add("block", id);
            i = k + 2;
            continue;
          }
        }
        i++;
        continue;
      }
      case C_LBRACE: {
        if (text.charCodeAt(i + 1) === C_LBRACE) {
          const k = closers().pair(PAIR_CLOSE_BRACE, i + 2);
          if (k > 0 && k < end) {
            let close = k + 2;
            while (text.charCodeAt(close) === C_RBRACE && close < end) close++;
            let bodyStart = i + 2;
            while (text.charCodeAt(bodyStart) === C_LBRACE && bodyStart < k) bodyStart++; // {{{embed …}}}
            const body = text.slice(bodyStart, k).trim();
            const m = /^embed\s+([\s\S]*)$/.exec(body);
            if (m) {
              const arg = (m[1] as string).trim();
              if (arg.startsWith("[[") && arg.endsWith("]]")) out.add("embed-page", arg.slice(2, -2));
              else if (arg.startsWith("((") && arg.endsWith("))") && isUuid(arg.slice(2, -2).trim())) out.add("embed-block", arg.slice(2, -2));
            }
            i = close;
            continue;
          }
        }
        i++;
        continue;
      }
      case C_HASH: {
        if (i < noTagUntil) {
          i++;
          continue;
        }
        const e = tagEnd(text, i + 1, end, closers());
        if (e < 0) {
          i++;
          continue;
        }
        let te = e;
        // "**bold #tag**": emphasis markers closing around the tag are not part of it
        while (te > i + 2 && isEmphasisMark(text.charCodeAt(te - 1))) te--;
        out.add("tag", stripPageRef(text.slice(i + 1, te)));
        i = e;
        continue;
      }
      case C_COLON: {
        // bare URL: scheme://… — '#' inside it is not a tag
        if (text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47 && i > start && isAlpha(text.charCodeAt(i - 1))) {
          let j = i + 3;
          while (j < end && !isSpace(text.charCodeAt(j))) j++;
          i = j;
          continue;
        }
        i++;
        continue;
      }
      default:
        i++;
    }
  }
}

/** End of the line holding `i`, or `end` if that comes first. */
function lineEnd(closers: InlineClosers, i: number, end: number): number {
  const nl = closers.nextNewline(i);
  return nl > end ? end : nl;
}

/**
 * If an emphasis delimiter run of length `n` at `i` opens a span closed later
 * on the same line, returns the closer's index, else -1.
 */
function emphasisClose(text: string, i: number, n: number, end: number, org: boolean, closers: InlineClosers): number {
  const c = text.charCodeAt(i);
  if (n === 1 && (c === 126 || c === 94 || (c === 61 && !org))) return -1; // ~ ^ = need doubling in Markdown
  if (i > 0) {
    const p = text.charCodeAt(i - 1);
    if (isWordChar(p)) return -1;
  }
  const first = text.charCodeAt(i + n);
  if (Number.isNaN(first) || isSpace(first)) return -1;
  return closers.emphasis(c, n, i + n + 1, lineEnd(closers, i, end));
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

function isEmphasisMark(c: number): boolean {
  return c === 42 || c === 95 || c === 126 || c === 94 || c === 61; // * _ ~ ^ =
}

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Org `=verbatim=` / `~code~` starting at `i`: end index or -1. */
function orgVerbatimEnd(text: string, i: number, end: number, closers: InlineClosers): number {
  const mark = text.charCodeAt(i);
  if (i > 0) {
    const p = text.charCodeAt(i - 1);
    if (!(isSpace(p) || p === C_LPAREN || p === C_LBRACE || p === 39 || p === 34 || p === 45)) return -1;
  }
  const first = text.charCodeAt(i + 1);
  if (Number.isNaN(first) || isSpace(first)) return -1;
  const k = closers.verbatim(mark, i + 2, lineEnd(closers, i, end));
  return k < 0 ? -1 : k + 1;
}

/**
 * Refs in a property value: `[[x]]`, `#x` (and for comma-separated keys,
 * plain comma-separated names). Returns the names as written (NFC) or null
 * when the value has no refs. `counts` receives what the ref limits dropped.
 */
export function propertyValueRefs(value: string, commaSeparated: boolean, org: boolean, counts?: RefLimitCounts): string[] | null {
  if (commaSeparated) {
    const names: string[] = [];
    for (const part of splitCommas(value)) {
      let p = part.trim();
      if (p.startsWith("#")) p = p.slice(1);
      p = stripPageRef(p).trim();
      if (p !== "") names.push(p);
    }
    return names.length > 0 ? names : null;
  }
  if (value.indexOf("[[") < 0 && value.indexOf("#") < 0) return null;
  // Each name is kept as written where it was found: looking each one up
  // again in the value would cost a pass per name (quadratic in a long value).
  const col = new RefCollector(counts, true);
  scanInline(value, 0, value.length, org, col);
  const names: string[] = [];
  const written = col.written as string[];
  for (let k = 0; k < col.refs.length; k++) {
    const r = col.refs[k] as BlockRef;
    if (r.kind === "page" || r.kind === "tag") names.push((written[k] as string).normalize("NFC"));
  }
  return names.length > 0 ? names : null;
}

/** Splits on commas that are not inside `[[…]]`. */
function splitCommas(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let startIdx = 0;
  for (let j = 0; j < value.length; j++) {
    const c = value.charCodeAt(j);
    if (c === C_LBRACK && value.charCodeAt(j + 1) === C_LBRACK) {
      depth++;
      j++;
    } else if (c === C_RBRACK && value.charCodeAt(j + 1) === C_RBRACK && depth > 0) {
      depth--;
      j++;
    } else if (c === 44 && depth === 0) {
      parts.push(value.slice(startIdx, j));
      startIdx = j + 1;
    }
  }
  parts.push(value.slice(startIdx));
  return parts;
}

/**
 * Journal date titles: formatting a day number with a Logseq
 * `:journal/page-title-format` (date-fns style tokens) and parsing a title
 * back into a day number.
 */

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type Token = { kind: "lit"; text: string } | { kind: "field"; tok: string };

const FIELD_TOKENS = ["yyyy", "yy", "y", "MMMM", "MMM", "MM", "M", "do", "dd", "d", "EEEE", "EEE", "EE", "E", "ii", "i"];

const tokenCache = new Map<string, Token[]>();

function tokenize(format: string): Token[] {
  const cached = tokenCache.get(format);
  if (cached) return cached;
  const out: Token[] = [];
  let i = 0;
  while (i < format.length) {
    const c = format[i] as string;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      const lit = end < 0 ? format.slice(i + 1) : format.slice(i + 1, end);
      out.push({ kind: "lit", text: lit === "" ? "'" : lit });
      i = end < 0 ? format.length : end + 1;
      continue;
    }
    const tok = FIELD_TOKENS.find((t) => format.startsWith(t, i));
    if (tok) {
      out.push({ kind: "field", tok });
      i += tok.length;
    } else {
      out.push({ kind: "lit", text: c });
      i++;
    }
  }
  tokenCache.set(format, out);
  return out;
}

function ordinal(d: number): string {
  const m100 = d % 100;
  if (m100 >= 11 && m100 <= 13) return d + "th";
  switch (d % 10) {
    case 1: return d + "st";
    case 2: return d + "nd";
    case 3: return d + "rd";
    default: return d + "th";
  }
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, "0");
}

function weekday(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Formats day number 20240115 with e.g. "MMM do, yyyy" → "Jan 15th, 2024". */
export function formatJournalTitle(day: number, format: string): string {
  const y = Math.floor(day / 10000);
  const m = Math.floor(day / 100) % 100;
  const d = day % 100;
  const parts: string[] = [];
  for (const t of tokenize(format)) {
    if (t.kind === "lit") {
      parts.push(t.text);
      continue;
    }
    const month = MONTHS[m - 1] ?? "";
    const wd = DAYS[weekday(y, m, d)] ?? "";
    switch (t.tok) {
      case "yyyy": case "y": parts.push(String(y)); break;
      case "yy": parts.push(pad(y % 100, 2)); break;
      case "MMMM": parts.push(month); break;
      case "MMM": parts.push(month.slice(0, 3)); break;
      case "MM": parts.push(pad(m, 2)); break;
      case "M": parts.push(String(m)); break;
      case "do": parts.push(ordinal(d)); break;
      case "dd": parts.push(pad(d, 2)); break;
      case "d": parts.push(String(d)); break;
      case "EEEE": parts.push(wd); break;
      case "EEE": case "EE": case "E": parts.push(wd.slice(0, 3)); break;
      case "ii": parts.push(pad(weekday(y, m, d) || 7, 2)); break;
      case "i": parts.push(String(weekday(y, m, d) || 7)); break;
    }
  }
  return parts.join("");
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

type Parser = { re: RegExp; fields: string[] };
const parserCache = new Map<string, Parser>();

function parserFor(format: string): Parser {
  const cached = parserCache.get(format);
  if (cached) return cached;
  const fields: string[] = [];
  let src = "^";
  for (const t of tokenize(format)) {
    if (t.kind === "lit") {
      src += escapeRe(t.text);
      continue;
    }
    fields.push(t.tok);
    switch (t.tok) {
      case "yyyy": case "y": src += "(\\d{4})"; break;
      case "yy": src += "(\\d{2})"; break;
      case "MMMM": case "MMM": case "EEEE": case "EEE": case "EE": case "E": src += "([A-Za-z]+)"; break;
      case "MM": case "dd": case "ii": src += "(\\d{2})"; break;
      case "M": case "d": case "i": src += "(\\d{1,2})"; break;
      case "do": src += "(\\d{1,2})(?:st|nd|rd|th)"; break;
    }
  }
  const p = { re: new RegExp(src + "$", "i"), fields };
  parserCache.set(format, p);
  return p;
}

function monthFromName(s: string, full: boolean): number {
  const l = s.toLowerCase();
  for (let k = 0; k < 12; k++) {
    const name = (MONTHS[k] as string).toLowerCase();
    if (full ? l === name : l === name.slice(0, 3)) return k + 1;
  }
  return 0;
}

/** Parses `title` with `format`; returns the day number or null. */
export function parseJournalTitle(title: string, format: string): number | null {
  const { re, fields } = parserFor(format);
  const m = re.exec(title.trim());
  if (!m) return null;
  let y = 0;
  let mo = 0;
  let d = 0;
  for (let k = 0; k < fields.length; k++) {
    const v = m[k + 1] as string;
    switch (fields[k]) {
      case "yyyy": case "y": y = Number(v); break;
      case "yy": y = 2000 + Number(v); break;
      case "MMMM": mo = monthFromName(v, true); break;
      case "MMM": mo = monthFromName(v, false); break;
      case "MM": case "M": mo = Number(v); break;
      case "do": case "dd": case "d": d = Number(v); break;
    }
  }
  return validDay(y, mo, d);
}

export function validDay(y: number, m: number, d: number): number | null {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1) return null;
  return y * 10000 + m * 100 + d;
}

/** A journal file name like `2024_01_15`, `2024-01-15` or `20240115` → 20240115. */
export function parseJournalFileName(base: string): number | null {
  const m = /^(\d{4})[_-]?(\d{2})[_-]?(\d{2})$/.exec(base);
  if (!m) return null;
  return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

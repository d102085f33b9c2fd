/** Task fields of a block: markers and priority on its first line, SCHEDULED/DEADLINE planning lines. */
import { skipJsWs } from "./lines.ts";

export const TASK_MARKERS: ReadonlySet<string> = new Set([
  "TODO", "DOING", "WAITING", "WAIT", "DONE", "CANCELED", "CANCELLED", "STARTED", "IN-PROGRESS", "NOW", "LATER",
]);

export type Planning = { scheduled: number | null; deadline: number | null; repeater: string | null };

// `[^<>]*`, not `[^>]*`: a timestamp holds no `<`, and an unclosed one then
// ends at the next `<` instead of every attempt reading to the end of the line
// (a line of 100,000 unclosed `SCHEDULED: <2024-01-01` was quadratic).
const PLANNING_RE = /(SCHEDULED|DEADLINE):\s*<(\d{4})-(\d{2})-(\d{2})([^<>]*)>/g;
const REPEATER_RE = /(?:^|\s)((?:\.\+|\+\+|\+)\d+[hdwmy])(?=\s|$)/;

/** Reads `SCHEDULED: <…>` / `DEADLINE: <…>` from the line text[s, e); returns false if it is not a planning line. */
export function readPlanning(text: string, s: number, e: number, p: Planning): boolean {
  const i = skipJsWs(text, s, e);
  const c = text.charCodeAt(i);
  if (!((c === 83 && text.startsWith("SCHEDULED:", i)) || (c === 68 && text.startsWith("DEADLINE:", i)))) return false;
  const t = text.slice(i, e);
  PLANNING_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let any = false;
  while ((m = PLANNING_RE.exec(t)) !== null) {
    any = true;
    const day = Number(m[2]) * 10000 + Number(m[3]) * 100 + Number(m[4]);
    if (m[1] === "SCHEDULED") p.scheduled = day;
    else p.deadline = day;
    const r = REPEATER_RE.exec(m[5] as string);
    if (r && p.repeater === null) p.repeater = r[1] as string;
  }
  return any;
}

export type Task = { marker: string | null; priority: "A" | "B" | "C" | null };
export const NO_TASK: Task = { marker: null, priority: null };

/** Markers and priority at the start of a block's first line text[s, e) (after heading hashes). */
export function readTask(text: string, s: number, e: number, headingPrefix: number): Task {
  let i = headingPrefix > 0 ? skipJsWs(text, Math.min(s + headingPrefix, e), e) : s;
  let marker: string | null = null;
  const c = text.charCodeAt(i);
  if (c >= 65 && c <= 90) {
    let j = i + 1;
    while (j < e) {
      const d = text.charCodeAt(j);
      if (d === 32 || d === 9) break;
      j++;
    }
    if (j - i <= 11) {
      const word = text.slice(i, j);
      if (TASK_MARKERS.has(word)) {
        marker = word;
        i = skipJsWs(text, j, e);
      }
    }
  }
  let priority: "A" | "B" | "C" | null = null;
  if (e - i >= 4 && text.charCodeAt(i) === 91 && text.charCodeAt(i + 1) === 35 && text.charCodeAt(i + 3) === 93) {
    const p = text.charCodeAt(i + 2);
    if (p === 65) priority = "A";
    else if (p === 66) priority = "B";
    else if (p === 67) priority = "C";
  }
  return marker === null && priority === null ? NO_TASK : { marker, priority };
}

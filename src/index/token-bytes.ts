import { reserve, type ByteSink } from "./row-bytes.ts";
import { tokenize } from "./tokenize.ts";

const MAX_TOKEN_LENGTH = 64;
const encoder = new TextEncoder();

/**
 * Writes `tokenize(text).join(" ")` into the sink as UTF-8 and returns the
 * token count, straight into a block's row (the index builds its postings
 * from this string inside DuckDB). The regex version it replaced
 * (lower-case, replace, trim, then encode the joined string) was the parse
 * worker's largest cost (issue #8). ASCII takes one pass over the char
 * codes: a token is a run of ASCII letters and digits, lower-cased, dropped
 * past 64 characters, exactly what tokenize yields there.
 *
 * A non-ASCII character sends only its segment through tokenize: the text
 * between the ASCII separators around it that are neither cased nor
 * case-ignorable (all but `' . : ^` and backtick). No word spans such a
 * separator, and lower-casing, context-free but for the Greek final sigma,
 * looks no further than one (its context skips case-ignorable characters,
 * which is why `'` or `.` cannot end a segment). So the tokens of the
 * segments, in order, are the text's, where a block with one accented word
 * went through tokenize whole.
 */
export function putTokens(sink: ByteSink, text: string): number {
  const n = text.length;
  // Tokens and the single spaces between them never outnumber the characters of ASCII text.
  reserve(sink, n);
  let b = sink.bytes;
  let at = sink.at;
  let count = 0;
  let run = -1;
  // Where the current segment starts: in the text, in the sink, and the tokens before it.
  let segmentText = 0;
  let segmentAt = at;
  let segmentCount = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      // a token character as it is
    } else if (c >= 65 && c <= 90) {
      c += 32;
    } else if (c < 128) {
      if (run >= 0) {
        if (at - run > MAX_TOKEN_LENGTH) at = count > 0 ? run - 1 : run;
        else count++;
        run = -1;
      }
      if (!SOFT[c]) {
        segmentText = i + 1;
        segmentAt = at;
        segmentCount = count;
      }
      continue;
    } else {
      let end = i + 1;
      while (end < n && !isHardSeparator(text.charCodeAt(end))) end++;
      at = segmentAt;
      count = segmentCount;
      run = -1;
      sink.at = at;
      for (const token of tokenize(text.slice(segmentText, end))) {
        // Folding can lengthen a token (NFKD: "ﬁ" is "fi"); UTF-8 takes at most 3 bytes a code unit.
        reserve(sink, 3 * token.length + 1);
        b = sink.bytes;
        if (count > 0) b[sink.at++] = 32;
        sink.at += encoder.encodeInto(token, b.subarray(sink.at)).written;
        count++;
      }
      at = sink.at;
      // The rest is ASCII-sized again: reserve for it (the sink may have been replaced).
      reserve(sink, n - end);
      b = sink.bytes;
      i = end - 1;
      continue;
    }
    if (run < 0) {
      if (count > 0) b[at++] = 32;
      run = at;
    }
    b[at++] = c;
  }
  if (run >= 0) {
    if (at - run > MAX_TOKEN_LENGTH) at = count > 0 ? run - 1 : run;
    else count++;
  }
  sink.at = at;
  return count;
}

/** ASCII separators a segment may hold: case-ignorable (Unicode's Case_Ignorable), so the final-sigma rule looks past them. */
const SOFT = new Uint8Array(128);
for (const c of "'.:^`") SOFT[c.charCodeAt(0)] = 1;
// Letters and digits are token characters, never separators.
for (let c = 48; c < 58; c++) SOFT[c] = 1;
for (let c = 65; c < 91; c++) SOFT[c] = 1;
for (let c = 97; c < 123; c++) SOFT[c] = 1;

function isHardSeparator(c: number): boolean {
  return c < 128 && SOFT[c] === 0;
}

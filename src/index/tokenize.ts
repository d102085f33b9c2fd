/**
 * The full-text tokeniser, shared by indexing (in the parse workers) and
 * querying (wherever search runs), so both sides fold text the same way.
 *
 * Unicode-aware: words are runs of letters and digits of any script, folded
 * to lower case with accents removed (NFKD, combining marks dropped).
 * Scripts written without spaces (Han, Hiragana, Katakana) yield one token per
 * character, so a query in those scripts matches inside longer runs.
 */

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const NON_ASCII = /[^\x00-\x7f]/;
/** Accents on Latin, Greek and Cyrillic letters; kana voicing marks (で vs て) are not accents and stay. */
const MARKS = /(?<=[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]\p{M}*)\p{M}/gu;
const CJK_CHAR = /[\p{Ideographic}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const CJK_SPLIT = /[\p{Ideographic}\p{Script=Hiragana}\p{Script=Katakana}]|[^\p{Ideographic}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;
const MAX_TOKEN_LENGTH = 64;

/** Lower-cases and strips accents. */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize("NFKD").replace(MARKS, "").normalize("NFC") : lower;
}

/** The tokens of a text, in order, duplicates kept (term frequency matters). */
export function tokenize(text: string): string[] {
  const words = text.toLowerCase().match(WORD);
  if (words === null) return [];
  const tokens: string[] = [];
  for (const word of words) {
    if (!NON_ASCII.test(word)) {
      if (word.length <= MAX_TOKEN_LENGTH) tokens.push(word);
      continue;
    }
    const folded = word.normalize("NFKD").replace(MARKS, "").normalize("NFC");
    if (folded === "") continue;
    const parts = CJK_CHAR.test(folded) ? (folded.match(CJK_SPLIT) ?? []) : [folded];
    for (const part of parts) if (part.length <= MAX_TOKEN_LENGTH) tokens.push(part);
  }
  return tokens;
}

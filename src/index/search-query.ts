import { tokenize } from "./tokenize.ts";

/**
 * A search box's text, read the way people type it.
 *
 * - `"..."` is a phrase: its words must appear in that order within a block.
 *   A quote left open (the user is still typing) reads as plain words.
 * - Every other word is a plain query word, folded by the indexing tokenizer.
 * - The last word is also a prefix (`flashc` → flashcards) unless the text
 *   ends with a space or a closing quote: the user has finished that word.
 */
export type ParsedQuery = {
  /** Every distinct query word (phrase words included), in order of first appearance. */
  words: string[];
  /** Phrases of two or more words, each a token sequence. */
  phrases: string[][];
  /** The word being typed, matched as a prefix too; null when the text ends a word. */
  prefix: string | null;
};

const PHRASE = /"([^"]*)"/g;

export function parseQuery(text: string): ParsedQuery {
  const words: string[] = [];
  const phrases: string[][] = [];
  const add = (tokens: string[]) => {
    for (const token of tokens) if (!words.includes(token)) words.push(token);
  };
  let rest = "";
  let last = 0;
  for (const match of text.matchAll(PHRASE)) {
    rest += text.slice(last, match.index) + " ";
    last = match.index + match[0].length;
    const tokens = tokenize(match[1] ?? "");
    if (tokens.length > 1) phrases.push(tokens);
    add(tokens);
  }
  // An unclosed quote is dropped: its words count as plain words.
  const tail = text.slice(last).replaceAll('"', " ");
  add(tokenize(rest + tail));
  const tailTokens = tokenize(tail);
  const typing = tailTokens.length > 0 && !/[\s"]$/u.test(text) && /[\p{L}\p{N}\p{M}]$/u.test(text);
  return { words, phrases, prefix: typing ? (tailTokens.at(-1) ?? null) : null };
}

/**
 * Whether `tokens` holds `phrase` as consecutive tokens: the verification of
 * a phrase against a candidate block's content, tokenised as when indexed.
 */
export function containsPhrase(tokens: readonly string[], phrase: readonly string[]): boolean {
  const first = phrase[0];
  if (first === undefined) return true;
  for (let i = tokens.indexOf(first); i !== -1 && i + phrase.length <= tokens.length; i = tokens.indexOf(first, i + 1)) {
    let j = 1;
    while (j < phrase.length && tokens[i + j] === phrase[j]) j++;
    if (j === phrase.length) return true;
  }
  return false;
}

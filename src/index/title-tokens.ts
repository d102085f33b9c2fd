import { tokenize } from "./tokenize.ts";

/** The folded tokens of a page's name and aliases, space-joined, as stored in `pages.title_tokens`. */
export function foldedTitleTokens(originalName: string, aliases: readonly string[]): string {
  return [...new Set([originalName, ...aliases].flatMap((text) => tokenize(text)))].join(" ");
}

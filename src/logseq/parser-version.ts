/**
 * Bump when the parser's output changes for the same input: a stored index
 * built by another version is then re-parsed in full on the next sync.
 */
export const PARSER_VERSION = 2;

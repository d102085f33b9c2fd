/**
 * The parser's contract: what `parseFile` yields for one graph file.
 * Everything here is plain data (structured-clone safe) because it crosses
 * from the parsing bulkhead to the index writer.
 */

/** A property value after Logseq's coercion rules. */
export type PropertyValue = string | number | boolean | string[];

export type RefKind =
  | "page" // [[Page]]
  | "tag" // #tag, #[[multi word]], tags:: values
  | "block" // ((uuid))
  | "embed-page" // {{embed [[Page]]}}
  | "embed-block" // {{embed ((uuid))}}
  | "property" // a ref inside a property value ([[x]] / #x / alias:: / comma-separated)
  | "namespace"; // a/b/c also refs a and a/b

export type BlockRef = {
  /** Lower-cased, NFC page name, or a block UUID for block refs. */
  target: string;
  kind: RefKind;
};

export type ParsedBlock = {
  /** UUID: the block's `id::` property when present and unique in the file, else derived deterministically. */
  id: string;
  /** Index of the parent block in `ParsedFile.blocks`, or -1 for a top-level block. */
  parent: number;
  /** 0-based order among its siblings. */
  position: number;
  /** 1-based nesting depth. */
  level: number;
  /** Content as Logseq shows it: bullet and indentation stripped. */
  content: string;
  properties: Record<string, PropertyValue>;
  marker: string | null;
  priority: "A" | "B" | "C" | null;
  /** Day numbers like 20240115. */
  scheduled: number | null;
  deadline: number | null;
  /** e.g. ".+1d" when the SCHEDULED/DEADLINE timestamp has a repeater. */
  repeater: string | null;
  refs: BlockRef[];
  /** True for the text before the first bullet (page properties live there). */
  preBlock: boolean;
};

export type ParsedPage = {
  /** Lower-cased, NFC-normalised page name: the key other pages ref it by. */
  name: string;
  /** Name with its original case, for display. */
  originalName: string;
  /** 20240115 for journals, else null. */
  journalDay: number | null;
  format: "markdown" | "org";
  properties: Record<string, PropertyValue>;
  /** Lower-cased alias page names from `alias::`. */
  aliases: string[];
  /** Lower-cased tag page names from `tags::`. */
  tags: string[];
};

export type ParsedFile = {
  page: ParsedPage;
  blocks: ParsedBlock[];
  /** Non-fatal oddities (duplicate ids, unclosed code fence, ...). */
  warnings: string[];
};

/** What the graph's `logseq/config.edn` says that matters to indexing. */
export type GraphConfig = {
  /** Folders (relative, `/`-separated, no leading slash) hidden from the graph. */
  hidden: string[];
  fileNameFormat: "triple-lowbar" | "legacy";
  journalPageTitleFormat: string;
  /** Property keys whose values are comma-separated refs (besides alias and tags). */
  separatedByCommas: string[];
  /** Folder holding journals, default "journals"; pages default "pages". */
  journalsDirectory: string;
  pagesDirectory: string;
  /** Problems reading config.edn; defaults were used. */
  warnings: string[];
};

/**
 * What `sync-pipeline verify` finds: each way the index can disagree with
 * the folder or with itself is one class, counted, with its first examples.
 */
export const VerifyClass = {
  /** A graph file on disk with no `files` row. */
  fileRowMissing: "fileRowMissing",
  /** A `files` row whose file is not on disk. */
  fileRowExtra: "fileRowExtra",
  /** Size or mtime on disk differ from the row (the content may be the same). */
  metadataDiffers: "metadataDiffers",
  /** Same size and mtime, other bytes: the case a size+mtime scan cannot see. */
  checksumDiffers: "checksumDiffers",
  /** A page whose path has no `files` row. */
  pageWithoutFile: "pageWithoutFile",
  /** A row saying indexed (or warning) with no page. */
  fileWithoutPage: "fileWithoutPage",
  /** A page parsed from other bytes than its `files` row's checksum. */
  pageStale: "pageStale",
  /** Blocks whose path has no page (counted in blocks). */
  orphanBlocks: "orphanBlocks",
  /** A page whose `block_count` differs from its blocks. */
  blockCountDiffers: "blockCountDiffers",
  /** Refs whose block is gone (counted in refs). */
  orphanRefs: "orphanRefs",
  /** Postings whose block is gone (counted in postings; examples are block keys). */
  orphanPostings: "orphanPostings",
  /** Blocks whose postings' term counts do not add up to their length (counted in blocks). */
  postingCountDiffers: "postingCountDiffers",
  /** Postings whose term is not in `fts_terms` (counted in postings). */
  postingsWithoutTerm: "postingsWithoutTerm",
  /** Terms whose `df` differs from their number of postings (examples are terms). */
  termDfDiffers: "termDfDiffers",
} as const;
export type VerifyClass = (typeof VerifyClass)[keyof typeof VerifyClass];

export const VERIFY_CLASSES = Object.values(VerifyClass) as readonly VerifyClass[];

/** How each class reads in the text report. */
export const VERIFY_CLASS_TEXT: Record<VerifyClass, string> = {
  fileRowMissing: "files on disk without a files row",
  fileRowExtra: "files rows whose file is gone",
  metadataDiffers: "files whose size or mtime differ from their row",
  checksumDiffers: "files whose content differs from their row (same size and mtime)",
  pageWithoutFile: "pages without a files row",
  fileWithoutPage: "files rows saying indexed without a page",
  pageStale: "pages parsed from other bytes than their files row",
  orphanBlocks: "blocks of pages that do not exist",
  blockCountDiffers: "pages whose block_count differs from their blocks",
  orphanRefs: "refs of blocks that do not exist",
  orphanPostings: "postings of blocks that do not exist",
  postingCountDiffers: "blocks whose postings do not add up to their length",
  postingsWithoutTerm: "postings whose term is not in fts_terms",
  termDfDiffers: "terms whose df differs from their postings",
};

/** Examples listed per class: enough to start looking, small on a graph where everything differs. */
export const VERIFY_EXAMPLES = 10;

export type VerifyFinding = { count: number; examples: string[] };

export type VerifyReport = {
  /** True when no class has a difference. */
  clean: boolean;
  /** Graph files on disk. */
  files: number;
  /** Files whose bytes were read and checksummed (rows saying indexed whose size and mtime match). */
  checksummed: number;
  /** Only the classes with differences, in VERIFY_CLASSES order. */
  differences: Partial<Record<VerifyClass, VerifyFinding>>;
};

/** `verify --repair`: what was found, what was done, and the verification after it. */
export type RepairReport = {
  found: VerifyReport;
  /** Paths whose pages, blocks, refs and postings were dropped to be parsed again. */
  contentDropped: number;
  /** Rows deleted in the repair transaction, per table. */
  rowsDeleted: Record<string, number>;
  /** Files the follow-up sync read again or deleted. */
  synced: number;
  after: VerifyReport;
};

export function makeReport(files: number, checksummed: number, findings: Partial<Record<VerifyClass, VerifyFinding>>): VerifyReport {
  const differences: Partial<Record<VerifyClass, VerifyFinding>> = {};
  for (const name of VERIFY_CLASSES) {
    const finding = findings[name];
    if (finding !== undefined && finding.count > 0) differences[name] = finding;
  }
  return { clean: Object.keys(differences).length === 0, files, checksummed, differences };
}

/** The first VERIFY_EXAMPLES of `items`, sorted, with their count. */
export function findingOf(items: string[]): VerifyFinding {
  return { count: items.length, examples: [...items].sort().slice(0, VERIFY_EXAMPLES) };
}

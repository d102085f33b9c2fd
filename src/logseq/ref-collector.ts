/**
 * Collects the refs of one block, de-duplicated by kind and target, within
 * fixed limits. The limits bound what hostile text can make the index store
 * (issue #13 row 5: `[[a [[b [[c …]]]]]]` 5,000 deep made every level's ref
 * hold all inner levels, 124 MB of ref text from 49 KB). Real graphs stay far
 * below them: logseq-docs and ezdxf-notes have at most 9 refs in a block,
 * targets of at most 58 characters, 2 namespace levels and 1 level of nested
 * links.
 */
import type { BlockRef, RefKind } from "./types.ts";
import { normalizePageName } from "./page-name.ts";

/** Distinct refs kept per block (namespace parents included); the rest are dropped with a warning. */
export const MAX_REFS_PER_BLOCK = 1_000;
/** Longest ref target kept, in UTF-16 units after trimming; longer ones are dropped with a warning. */
export const MAX_REF_TARGET_CHARS = 1_024;
/**
 * Ref text (sum of target lengths) a block may yield: this many times its
 * own length, plus one longest target. Nested links repeat their inner text
 * and `a/b/c` adds `a` and `a/b`, so ref text can exceed the block's text,
 * but only by a bounded factor: `[`×1,000 + `]`×1,000 would otherwise yield
 * 250 refs and 130,000 characters from 2,000.
 */
export const REF_TEXT_FACTOR = 4;

/** What the limits dropped in one block; shared by the block's collectors (text and property values). */
export type RefLimitCounts = { tooLong: number; overCount: number; overText: number; textLeft: number };

/** Counts for a block whose text is `blockChars` long. */
export function newRefLimitCounts(blockChars = 0): RefLimitCounts {
  return { tooLong: 0, overCount: 0, overText: 0, textLeft: REF_TEXT_FACTOR * blockChars + MAX_REF_TARGET_CHARS };
}

/** One warning per limit hit, for the block starting at 1-based line `line`. */
export function refLimitWarnings(line: number, c: RefLimitCounts, warnings: string[]): void {
  if (c.tooLong > 0) {
    warnings.push(`block at line ${line}: ${c.tooLong} ref(s) longer than ${MAX_REF_TARGET_CHARS} characters ignored`);
  }
  if (c.overCount > 0) {
    warnings.push(`block at line ${line}: more than ${MAX_REFS_PER_BLOCK} refs; ${c.overCount} more ignored`);
  }
  if (c.overText > 0) {
    warnings.push(`block at line ${line}: refs longer in total than ${REF_TEXT_FACTOR}× the block; ${c.overText} more ignored`);
  }
}

export class RefCollector {
  readonly refs: BlockRef[] = [];
  /** The target as written (trimmed, original case) per ref, when asked for (property values). */
  readonly written: string[] | null;
  readonly counts: RefLimitCounts;
  /** Kind + target keys, only once there are many refs (a linear scan is cheaper for a few). */
  private seen: Set<string> | null = null;

  constructor(counts: RefLimitCounts = newRefLimitCounts(), keepWritten = false) {
    this.counts = counts;
    this.written = keepWritten ? [] : null;
  }

  add(kind: RefKind, rawTarget: string): void {
    const raw = rawTarget.trim();
    if (raw === "") return;
    // checked before normalising: the work per ref stays bounded whatever the text
    if (raw.length > MAX_REF_TARGET_CHARS) {
      this.counts.tooLong++;
      return;
    }
    const pageLike = kind !== "block" && kind !== "embed-block";
    const target = pageLike ? normalizePageName(raw) : raw.toLowerCase();
    this.push(kind, target, raw);
    if (pageLike && target.indexOf("/") > 0) {
      // namespace parents: a/b/c also refs a and a/b
      let slash = target.indexOf("/");
      while (slash > 0 && this.counts.textLeft >= slash) {
        this.push("namespace", target.slice(0, slash), null);
        slash = target.indexOf("/", slash + 1);
      }
      if (slash > 0) this.counts.overText++;
    }
  }

  private push(kind: RefKind, target: string, written: string | null): void {
    const refs = this.refs;
    if (this.seen === null) {
      for (let i = 0; i < refs.length; i++) {
        const r = refs[i] as BlockRef;
        if (r.kind === kind && r.target === target) return;
      }
    } else if (this.seen.has(kind + "\u0000" + target)) return;
    if (refs.length >= MAX_REFS_PER_BLOCK) {
      this.counts.overCount++;
      return;
    }
    if (target.length > this.counts.textLeft) {
      this.counts.overText++;
      return;
    }
    this.counts.textLeft -= target.length;
    refs.push({ target, kind });
    this.written?.push(written ?? target);
    if (this.seen !== null) this.seen.add(kind + "\u0000" + target);
    else if (refs.length === 16) {
      this.seen = new Set();
      for (const r of refs) this.seen.add(r.kind + "\u0000" + r.target);
    }
  }
}

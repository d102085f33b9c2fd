import type { BlockPairs } from "./block-diff.ts";
import type { DiffBlock } from "./diff-state-cache.ts";

/**
 * Which block ids a diffed write keeps (issue #11), as Logseq keeps a block's
 * identity when its text changes. The parser derives a block's id from its
 * text (docs/parser.md), so an edited block would get a new id; here a block
 * the diff saw removed and one it saw inserted are one block EDITED when
 * they lie in the same gap between kept neighbours and have the same parent
 * (by kept id) and position among siblings: the new block keeps the old
 * one's id. Within a gap, pairs are taken in file order, each inserted block
 * taking the first unpaired removed block after the last pair that fits,
 * so an edit plus a new sibling after it in one save still pairs the edit.
 *
 * Not an edit when either side carries an `id::` property: an explicit id is
 * the user's, and a new one in the text wins.
 *
 * A kept id is given up when the new parse derives that very id for another
 * block (the old text came back, say): ids stay unique within a file, and
 * the parser's own id wins. A kept block in that case is rewritten with its
 * parser id (its pair is dropped here).
 */
export type IdPlan = {
  /** The kept pairs, minus those whose kept id the new parse gives another block. */
  pairs: BlockPairs;
  /** new index → old index of the edited blocks. */
  edits: Map<number, number>;
  /** Each new block's id as written: kept, or its parser id. */
  ids: string[];
  /** Each new block's parent_id as written ('' for none): the parent's id as written. */
  parents: string[];
  /** The parser ids of the new blocks the diff did not pair: a kept id among them is given up. */
  derived: Set<string>;
};

/** A block's id as written (tuple field 5). */
export const idOf = (b: DiffBlock): string => b.t[5];
/** The id the parser derives for a block's text: field 6, '' when it is the id as written. */
export const parserIdOf = (b: DiffBlock): string => (b.t[6] === "" ? b.t[5] : b.t[6]);
const explicit = (b: DiffBlock): boolean => b.t[7] === "1";

/**
 * `written`: parser id → id as written of the blocks before `before` and
 * `after` whose id an edit kept, when they are a window of a file
 * (diff-window.ts): a block's parent may be one of them.
 */
export function planIds(before: readonly DiffBlock[], after: readonly DiffBlock[], diff: BlockPairs, written = new Map<string, string>()): IdPlan {
  // Every write leaves no block holding another block's parser id, and a kept pair's new parser id is
  // its old one's: so only the inserted blocks' parser ids can take a kept id away. A handful, not a
  // 70,000-entry set per edit of a large page.
  const paired = new Uint8Array(after.length);
  for (const j of diff.newIndex) paired[j] = 1;
  const derived = new Set<string>();
  after.forEach((b, j) => {
    if (paired[j] === 0) derived.add(parserIdOf(b));
  });
  const taken = (old: DiffBlock, parserId: string): boolean => idOf(old) !== parserId && derived.has(idOf(old));
  const pairs: BlockPairs = { oldIndex: [], newIndex: [] };
  diff.oldIndex.forEach((i, n) => {
    const j = diff.newIndex[n] as number;
    if (taken(before[i] as DiffBlock, parserIdOf(after[j] as DiffBlock))) return;
    pairs.oldIndex.push(i);
    pairs.newIndex.push(j);
  });

  const edits = new Map<number, number>();
  const ids: string[] = [];
  const parents: string[] = [];
  let next = 0; // the next kept pair
  let cursor = 0; // the first old block an edit in this gap may take
  for (let j = 0; j < after.length; j++) {
    const block = after[j] as DiffBlock;
    const parent = block.t[2] === "" ? "" : (written.get(block.t[2]) ?? block.t[2]);
    let old: DiffBlock | undefined;
    if (pairs.newIndex[next] === j) {
      old = before[pairs.oldIndex[next] as number] as DiffBlock;
      cursor = (pairs.oldIndex[next] as number) + 1;
      next++;
    } else if (!explicit(block)) {
      const end = next < pairs.oldIndex.length ? (pairs.oldIndex[next] as number) : before.length;
      for (let i = cursor; i < end; i++) {
        const candidate = before[i] as DiffBlock;
        if (candidate.t[2] !== parent || candidate.t[3] !== block.t[3] || explicit(candidate) || taken(candidate, parserIdOf(block))) continue;
        edits.set(j, i);
        old = candidate;
        cursor = i + 1;
        break;
      }
    }
    const id = old === undefined ? parserIdOf(block) : idOf(old);
    if (id !== parserIdOf(block)) written.set(parserIdOf(block), id);
    ids.push(id);
    parents.push(parent);
  }
  return { pairs, edits, ids, parents, derived };
}

import { hashToUuid } from "../logseq/hash.ts";
import type { ParsedBlock } from "../logseq/types.ts";
import type { DiffBlock } from "./diff-state-cache.ts";

/**
 * A parse's blocks as the block diff compares them (issue #11), without
 * their rows: per block, one line `key \t id \t parent id \t position \t
 * level \t explicit`. The key stands for every content column of a block's
 * row and its refs, not its place in the tree (blockKey); `length` and
 * `tokens` are functions of `content`, so the key costs no tokenising. That is
 * what lets a parse worker send full rows only for the blocks a previous
 * version lacked: building the rows of a 70,000-block page (tokens, NDJSON)
 * cost about 650 ms per save.
 */
export type BlockOutline = { outline: string; keys: string };

/** `keys`: the blocks' keys, one a line (what the next parse of the file compares with, BlockKeyCache). */
export function blockOutline(blocks: readonly ParsedBlock[]): BlockOutline & { keyList: string[] } {
  const lines: string[] = new Array(blocks.length);
  const keyList: string[] = new Array(blocks.length);
  for (let ord = 0; ord < blocks.length; ord++) {
    const b = blocks[ord] as ParsedBlock;
    const key = blockKey(b);
    const parent = b.parent >= 0 ? (blocks[b.parent] as ParsedBlock).id : "";
    const explicit = Object.hasOwn(b.properties, "id") ? "1" : "";
    keyList[ord] = key;
    lines[ord] = `${key}\t${b.id}\t${parent}\t${b.position}\t${b.level}\t${explicit}`;
  }
  return { outline: lines.join("\n"), keys: keyList.join("\n"), keyList };
}

/** Marks null apart from any text a field can hold. */
const NULL = "\u0001";

/**
 * A derived id is already a 128-bit hash of the block's content (with the
 * page's seed and the content's occurrence, docs/parser.md): a block whose
 * other columns hold nothing is keyed by its id alone, and the others by
 * their id plus a hash of those columns. Only a block with an `id::`
 * property, whose id says nothing of its text, hashes its content. Hashing
 * every block's content cost more than parsing the page.
 */
function blockKey(b: ParsedBlock): string {
  const explicit = Object.hasOwn(b.properties, "id");
  const plain = !explicit && !b.preBlock && b.refs.length === 0 && b.marker === null && b.priority === null &&
    b.scheduled === null && b.deadline === null && b.repeater === null && !hasKeys(b.properties);
  if (plain) return b.id;
  const parts = [
    explicit ? b.content : "",
    hasKeys(b.properties) ? JSON.stringify(b.properties) : NULL,
    b.marker ?? NULL,
    b.priority ?? NULL,
    b.scheduled === null ? NULL : String(b.scheduled),
    b.deadline === null ? NULL : String(b.deadline),
    b.repeater ?? NULL,
    b.preBlock ? "1" : "0",
  ];
  for (const ref of b.refs) parts.push(ref.target, ref.kind);
  return `${b.id}/${hashToUuid(...parts)}`;
}

/** The outline as the diff's blocks: `k` the ord, `t` as DiffBlock (seq '' until written). */
export function outlineBlocks(outline: string): DiffBlock[] {
  if (outline === "") return [];
  return outline.split("\n").map((line, ord): DiffBlock => {
    const [key = "", id = "", parent = "", position = "", level = "", explicit = ""] = line.split("\t");
    return { k: String(ord), t: ["", key, parent, position, level, id, "", explicit] };
  });
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

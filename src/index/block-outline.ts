import { addToUuidHash, finishUuidHash, startUuidHash } from "../logseq/hash.ts";
import type { ParsedBlock } from "../logseq/types.ts";
import type { DiffBlock } from "./diff-state-cache.ts";

/**
 * A parse's blocks as the block diff compares them (issue #11), without
 * their rows. `keys`: each block's key, one a line; a key stands for every
 * content column of a block's row and its refs, not its place in the tree
 * (blockKey), and starts with the block's id. `length` and `tokens` are
 * functions of `content`, so the key costs no tokenising. `place`: four
 * numbers a block, its parent's ord (-1 for none), position, level and 1
 * when it has an `id::` property, in shared memory. That is what lets a
 * parse worker send full rows only for the blocks a previous version
 * lacked: building the rows of a 70,000-block page (tokens, NDJSON) cost
 * about 650 ms per save; a line of text per block instead of `place`, 40.
 */
export type BlockOutline = { keys: string; place: Int32Array };

const PLACE_FIELDS = 4;

/** `keyList`: the keys as a list. */
export function blockOutline(blocks: readonly ParsedBlock[]): { outline: BlockOutline; keyList: string[] } {
  const keyList: string[] = new Array(blocks.length);
  const place = new Int32Array(new SharedArrayBuffer(PLACE_FIELDS * 4 * blocks.length));
  for (let ord = 0; ord < blocks.length; ord++) {
    const b = blocks[ord] as ParsedBlock;
    keyList[ord] = blockKey(b);
    const at = PLACE_FIELDS * ord;
    place[at] = b.parent;
    place[at + 1] = b.position;
    place[at + 2] = b.level;
    place[at + 3] = Object.hasOwn(b.properties, "id") ? 1 : 0;
  }
  return { outline: { keys: keyList.join("\n"), place }, keyList };
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
  const properties = hasKeys(b.properties);
  const plain = !explicit && !b.preBlock && b.refs.length === 0 && b.marker === null && b.priority === null &&
    b.scheduled === null && b.deadline === null && b.repeater === null && !properties;
  if (plain) return b.id;
  // hashToUuid of these parts, in this order, added one by one (no array per block).
  startUuidHash();
  addToUuidHash(explicit ? b.content : "");
  addToUuidHash(properties ? JSON.stringify(b.properties) : NULL);
  addToUuidHash(b.marker ?? NULL);
  addToUuidHash(b.priority ?? NULL);
  addToUuidHash(b.scheduled === null ? NULL : String(b.scheduled));
  addToUuidHash(b.deadline === null ? NULL : String(b.deadline));
  addToUuidHash(b.repeater ?? NULL);
  addToUuidHash(b.preBlock ? "1" : "0");
  for (const ref of b.refs) {
    addToUuidHash(ref.target);
    addToUuidHash(ref.kind);
  }
  return `${b.id}/${finishUuidHash()}`;
}

/** The outline as the diff's blocks: `k` the ord, `t` as DiffBlock (seq '' until written). */
export function outlineBlocks(outline: BlockOutline): DiffBlock[] {
  const { place } = outline;
  if (place.length === 0) return [];
  const keys = outline.keys.split("\n");
  // A key is the block's id, or its id, "/" and a hash (blockKey); ids never hold "/".
  const ids = keys.map((key) => {
    const slash = key.indexOf("/");
    return slash < 0 ? key : key.slice(0, slash);
  });
  return keys.map((key, ord): DiffBlock => {
    const at = PLACE_FIELDS * ord;
    const parent = place[at] as number;
    const t: DiffBlock["t"] = ["", key, parent < 0 ? "" : (ids[parent] as string), String(place[at + 1]), String(place[at + 2]), ids[ord] as string, "", place[at + 3] === 1 ? "1" : ""];
    return { k: String(ord), t };
  });
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

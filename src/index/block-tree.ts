/** One block of a file, as far as its place in the tree and its text go. */
export type TreeBlock = {
  id: string;
  parentId: string | null;
  position: number;
  content: string;
  preBlock: boolean;
};

/**
 * Renders blocks as a Logseq Markdown outline: `- ` bullets, two spaces per
 * level, continuation lines under their bullet, and a pre-block (the text
 * before the first bullet, where page properties live) without a bullet.
 * `rootId` renders that block's subtree only (at depth 0). The walk uses an
 * explicit stack, so nesting depth in the file cannot overflow the call
 * stack; a block whose parent is missing counts as a root, so every block
 * appears exactly once.
 */
export function renderOutline(blocks: readonly TreeBlock[], rootId?: string): string {
  const byId = new Map(blocks.map((block) => [block.id, block]));
  const children = new Map<string | null, TreeBlock[]>();
  for (const block of blocks) {
    const parent = block.parentId !== null && byId.has(block.parentId) && block.parentId !== block.id ? block.parentId : null;
    const siblings = children.get(parent);
    if (siblings === undefined) children.set(parent, [block]);
    else siblings.push(block);
  }
  // Stable sort: blocks arrive in file order (key), which breaks position ties.
  for (const siblings of children.values()) siblings.sort((a, b) => a.position - b.position);
  const root = rootId === undefined ? undefined : byId.get(rootId);
  const start = root === undefined ? (children.get(null) ?? []) : [root];
  const lines: string[] = [];
  const seen = new Set<string>();
  const stack: { block: TreeBlock; depth: number }[] = start.map((block) => ({ block, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { block, depth } = stack.pop() as { block: TreeBlock; depth: number };
    if (seen.has(block.id)) continue; // two blocks sharing an id: render the first
    seen.add(block.id);
    lines.push(...blockLines(block, depth));
    const below = children.get(block.id) ?? [];
    for (let i = below.length - 1; i >= 0; i--) stack.push({ block: below[i] as TreeBlock, depth: depth + 1 });
  }
  return lines.join("\n");
}

function blockLines(block: TreeBlock, depth: number): string[] {
  const text = block.content.split("\n");
  if (block.preBlock && depth === 0) return text;
  const indent = "  ".repeat(depth);
  return text.map((line, i) => (i === 0 ? `${indent}- ${line}`.trimEnd() : `${indent}  ${line}`));
}

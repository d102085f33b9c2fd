import { ConfigInvalid } from "./config-invalid.ts";

/** Deepest nesting a config may have: the schema needs 3 levels; anything near this is a mistake or an attack. */
export const MAX_CONFIG_DEPTH = 32;
/** Field paths and names in messages are cut here: a hostile config must not produce a huge message. */
const MAX_PATH_SEGMENTS = 8;
const MAX_SEGMENT_CHARS = 40;

type Node = { value: unknown; depth: number; key: string; parent: Node | undefined };

/**
 * Refuses a config nested deeper than MAX_CONFIG_DEPTH, before anything that
 * recurses over it (structuredClone, ajv) can overflow the stack. Iterative,
 * so its own depth never depends on the input.
 */
export function checkConfigDepth(data: unknown, configPath: string): void {
  const stack: Node[] = [{ value: data, depth: 1, key: "", parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.value === null || typeof node.value !== "object") continue;
    if (node.depth > MAX_CONFIG_DEPTH) {
      throw new ConfigInvalid(`invalid config ${configPath}: field "${fieldPath(node)}" is nested deeper than ${MAX_CONFIG_DEPTH} levels`);
    }
    for (const [key, value] of Object.entries(node.value)) stack.push({ value, depth: node.depth + 1, key, parent: node });
  }
}

/** `a.b.c`, cut after MAX_PATH_SEGMENTS segments, each cut at MAX_SEGMENT_CHARS. */
export function shortField(segments: readonly string[]): string {
  const shown = segments.slice(0, MAX_PATH_SEGMENTS).map((s) => (s.length > MAX_SEGMENT_CHARS ? `${s.slice(0, MAX_SEGMENT_CHARS)}…` : s));
  return shown.join(".") + (segments.length > MAX_PATH_SEGMENTS ? "…" : "");
}

function fieldPath(node: Node): string {
  const segments: string[] = [];
  for (let n: Node | undefined = node; n?.parent !== undefined; n = n.parent) segments.push(n.key);
  return shortField(segments.reverse());
}

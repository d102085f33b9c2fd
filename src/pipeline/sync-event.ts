/** What happened to a graph file, as far as the index is concerned. */
export const SyncEventKind = {
  create: "create",
  update: "update",
  delete: "delete",
} as const;
export type SyncEventKind = (typeof SyncEventKind)[keyof typeof SyncEventKind];

/** One file-system change to a graph file, after filtering. */
export type SyncEvent = {
  /** Graph-relative, `/`-separated. */
  path: string;
  kind: SyncEventKind;
  /** `Clock.now()` when the change was seen. */
  at: number;
};

/**
 * The net kind of two changes to one path, `earlier` then `later`, or null
 * when they cancel out (created then deleted: the file neither existed before
 * nor exists now).
 *
 * Each kind stands for (existed before, exists after): create = (no, yes),
 * update = (yes, yes), delete = (yes, no). The net change keeps the earlier
 * "before" and the later "after", so delete+create is an update and
 * delete+create+delete is a delete.
 */
export function coalesceKinds(earlier: SyncEventKind, later: SyncEventKind): SyncEventKind | null {
  const existedBefore = existedBeforeChange(earlier);
  const existsAfter = existsAfterChange(later);
  if (existedBefore) return existsAfter ? SyncEventKind.update : SyncEventKind.delete;
  return existsAfter ? SyncEventKind.create : null;
}

function existedBeforeChange(kind: SyncEventKind): boolean {
  switch (kind) {
    case SyncEventKind.create:
      return false;
    case SyncEventKind.update:
    case SyncEventKind.delete:
      return true;
    default:
      return assertNever(kind);
  }
}

function existsAfterChange(kind: SyncEventKind): boolean {
  switch (kind) {
    case SyncEventKind.create:
    case SyncEventKind.update:
      return true;
    case SyncEventKind.delete:
      return false;
    default:
      return assertNever(kind);
  }
}

function assertNever(value: never): never {
  throw new TypeError(`unknown SyncEventKind: ${String(value)}`);
}

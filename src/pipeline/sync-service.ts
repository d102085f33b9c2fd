import type { SyncSessionContext } from "./sync-session.ts";

export async function runService(_context: SyncSessionContext): Promise<number> {
  throw new Error("watch mode is not wired yet: use --once");
}

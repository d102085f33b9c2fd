import process from "node:process";

/**
 * Whether a process of this pid exists: for leftovers named by the pid of
 * the process that made them (scratch folders, a new index being created).
 * EPERM means it exists under another user; only ESRCH means it is gone.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

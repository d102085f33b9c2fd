/**
 * Wakes every waiter; waiters re-check their condition. The orchestrator's
 * consumers wait on one for work, scans for room in the queue, and
 * `whenIdle`/`close` for idleness.
 */
export class Signal {
  #waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

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

  /**
   * Wakes the longest waiter only: for one new unit of work, which one waiter
   * takes. Waking all of them for each (the orchestrator's 258 consumers of a
   * `run --once` as its scan queues 1,000 files) costs a wake-up per waiter
   * per unit, and all but one wait again.
   */
  notifyOne(): void {
    this.#waiters.shift()?.();
  }
}

import type { SyncDomainEvent, SyncEventListener } from "./sync-domain-event.ts";

/**
 * The one bus the domain events go through: the session and the service
 * publish, and the CLI's progress bar and log, the status read model and
 * `events --follow` streams subscribe.
 *
 * Delivery is synchronous and in publish order, so every subscriber sees the
 * same order. A subscriber that throws is counted and reported through
 * `onSubscriberError`, never to the publisher (a pipeline step must not fail
 * because a log line could not be written) nor to the other subscribers.
 */
export class SyncEventBus {
  readonly #subscribers = new Set<SyncEventListener>();
  readonly #onSubscriberError: (error: unknown, event: SyncDomainEvent) => void;
  #subscriberErrors = 0;

  constructor(options: { onSubscriberError?: (error: unknown, event: SyncDomainEvent) => void } = {}) {
    this.#onSubscriberError = options.onSubscriberError ?? (() => {});
  }

  /** Publishes to every subscriber; never throws. Bound, so it can be passed as a SyncEventListener. */
  readonly publish = (event: SyncDomainEvent): void => {
    // A copy: a subscriber that unsubscribes (or subscribes) while handling must not skip another.
    for (const subscriber of [...this.#subscribers]) {
      try {
        subscriber(event);
      } catch (error) {
        this.#subscriberErrors++;
        try {
          this.#onSubscriberError(error, event);
        } catch {
          // The error reporter itself failed: nothing more can be done without risking the publisher.
        }
      }
    }
  };

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(listener: SyncEventListener): () => void {
    if (typeof listener !== "function") throw new TypeError("a subscriber must be a function");
    // A wrapper, so one function subscribed twice gets every event twice and each unsubscribe removes one.
    const entry: SyncEventListener = (event) => listener(event);
    this.#subscribers.add(entry);
    return () => void this.#subscribers.delete(entry);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Events a subscriber threw on, since the bus was made. */
  get subscriberErrors(): number {
    return this.#subscriberErrors;
  }
}

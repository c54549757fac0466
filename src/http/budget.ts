/** Gives back what `Budget.reserve` took. Calling it twice gives back once. */
export type Release = () => void;

/**
 * A limit shared by concurrent work, first come first served, each waiter able to give up on a stop.
 * The run's memory: Graph items (control scores) read and not yet sent, which every tenant reserves
 * before asking for its next chunk and gives back once that chunk's records are on their way, so
 * memory is bounded by the budget, not by how many tenants run at once (small daily tenants share it
 * freely, big backfills take turns). A destination's request slots: one unit per request in flight.
 */
export class Budget {
  private used = 0;
  private readonly waiting: Array<{ items: number; grant: () => void }> = [];

  constructor(readonly limit: number) {}

  /**
   * Resolves once `items` fit (a reservation over the whole limit waits until nothing else is held,
   * so it never waits for ever), or rejects when `signal` aborts first.
   */
  reserve(items: number, signal?: AbortSignal): Promise<Release> {
    const want = Math.min(Math.max(0, items), this.limit);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const grant = () => {
        signal?.removeEventListener('abort', abort);
        this.used += want;
        let given = false;
        resolve(() => {
          if (given) return;
          given = true;
          this.used -= want;
          this.admit();
        });
      };
      const entry = { items: want, grant };
      const abort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.push(entry);
      this.admit();
    });
  }

  /** Whether a reservation of `items` would have to wait now. */
  wouldWait(items: number): boolean {
    return this.waiting.length > 0 || this.used + Math.min(Math.max(0, items), this.limit) > this.limit;
  }

  /** Items held now (for tests and figures). */
  get held(): number {
    return this.used;
  }

  /** First come, first served: a big reservation at the head is not overtaken by small ones for ever. */
  private admit(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.items <= this.limit) this.waiting.shift()!.grant();
  }
}

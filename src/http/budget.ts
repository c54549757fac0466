/** Gives back what `Budget.reserve` took. Calling it twice gives back once. */
export type Release = () => void;

/**
 * A limit shared by concurrent work, served by rank then first come first served; a waiter can give
 * up on a stop. Used for the run's memory (Graph items read and not yet sent, so memory is bounded by
 * the budget, not by how many tenants run at once) and for its request slots.
 */
export class Budget {
  private used = 0;
  private readonly waiting: Array<{ items: number; rank: number; grant: () => void }> = [];

  constructor(readonly limit: number) {}

  /**
   * Resolves once `items` fit (a reservation over the whole limit waits until nothing else is held,
   * so it never waits for ever), or rejects when `signal` aborts first. Waiters of a lower `rank` go
   * first, in order of arrival within a rank.
   */
  reserve(items: number, signal?: AbortSignal, rank = 0): Promise<Release> {
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
      const entry = { items: want, rank, grant };
      const abort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
        // A waiter behind it may fit now that it is gone.
        this.admit();
      };
      signal?.addEventListener('abort', abort, { once: true });
      const after = this.waiting.findIndex((w) => w.rank > rank);
      this.waiting.splice(after < 0 ? this.waiting.length : after, 0, entry);
      this.admit();
    });
  }

  /** Items held now (for tests and figures). */
  get held(): number {
    return this.used;
  }

  /** In queue order: a big reservation at the head is not overtaken by small ones for ever. */
  private admit(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.items <= this.limit) this.waiting.shift()!.grant();
  }
}

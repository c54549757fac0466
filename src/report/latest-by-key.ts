import { isNewer } from './input-record.js';

interface Stamped<T> {
  readonly value: T;
  readonly event: number;
  readonly generated: number;
}

/**
 * The newest value per key, by event time and then collection time. Memory grows with the number
 * of keys, not with the number of records: re-sent and older rows replace nothing or their twin.
 */
export class LatestByKey<T> {
  private readonly entries = new Map<string, Stamped<T>>();

  /** Keeps `value` if it is at least as new as what `key` holds. */
  offer(key: string, value: T, event: number, generated: number): void {
    const held = this.entries.get(key);
    if (!held || isNewer(event, generated, held.event, held.generated)) this.entries.set(key, { value, event, generated });
  }

  get size(): number {
    return this.entries.size;
  }

  values(): T[] {
    return [...this.entries.values()].map((e) => e.value);
  }
}

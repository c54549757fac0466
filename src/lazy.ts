/** A value made by its first use and shared by every use after it. */
export interface Lazy<T> {
  (): T;
  /** Whether the value was made: a store never used is closed without loading its SDK. */
  readonly made: boolean;
}

/**
 * `make` runs at the first call, and its result (a promise included, so a failed load is the failure
 * of every use) is returned by every call after it. A `make` that throws is tried again by the next call.
 * The Azure SDKs are loaded this way: `--version`, the demo and a run that needs no blob pay nothing for them.
 */
export function lazy<T>(make: () => T): Lazy<T> {
  let made: { value: T } | undefined;
  const get = () => (made ??= { value: make() }).value;
  return Object.defineProperty(get, 'made', { get: () => made !== undefined }) as Lazy<T>;
}

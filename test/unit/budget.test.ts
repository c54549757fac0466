import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/http/budget.js';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('the run memory budget', () => {
  it('grants what fits at once and holds the rest until something is given back', async () => {
    const budget = new Budget(100);
    const first = await budget.reserve(60);
    let second: (() => void) | undefined;
    void budget.reserve(60).then((release) => (second = release));
    await settled();
    expect(second).toBeUndefined();
    expect(budget.held).toBe(60);
    first();
    await settled();
    expect(second).toBeTypeOf('function');
    expect(budget.held).toBe(60);
    second!();
    expect(budget.held).toBe(0);
  });

  it('grants a reservation bigger than the whole budget once nothing else is held, so it never waits for ever', async () => {
    const budget = new Budget(100);
    const small = await budget.reserve(10);
    let huge: (() => void) | undefined;
    void budget.reserve(1_000).then((release) => (huge = release));
    await settled();
    expect(huge).toBeUndefined();
    small();
    await settled();
    expect(budget.held).toBe(100);
    huge!();
    expect(budget.held).toBe(0);
  });

  it('serves in order: small reservations do not overtake a big one waiting at the head', async () => {
    const budget = new Budget(100);
    const held = await budget.reserve(50);
    const order: string[] = [];
    void budget.reserve(80).then((release) => (order.push('big'), release()));
    void budget.reserve(10).then((release) => (order.push('small'), release()));
    await settled();
    expect(order).toEqual([]);
    held();
    await settled();
    expect(order).toEqual(['big', 'small']);
  });

  it('gives back once however often a release is called', async () => {
    const budget = new Budget(100);
    const release = await budget.reserve(40);
    const other = await budget.reserve(40);
    release();
    release();
    expect(budget.held).toBe(40);
    other();
  });

  it('stops waiting when the run is stopped, and the waiter takes nothing', async () => {
    const budget = new Budget(100);
    const held = await budget.reserve(100);
    const stop = new AbortController();
    const waiting = budget.reserve(50, stop.signal);
    stop.abort(new Error('SIGTERM'));
    await expect(waiting).rejects.toThrow('SIGTERM');
    held();
    expect(budget.held).toBe(0);
  });
});

describe('the budget between tenants', () => {
  it("serves a lower rank first, and arrivals in order within a rank, so an earlier tenant's chunks go first", async () => {
    const budget = new Budget(100);
    const held = await budget.reserve(100);
    const order: string[] = [];
    const take = (name: string, rank: number) => void budget.reserve(60, undefined, rank).then((release) => (order.push(name), release()));
    take('third tenant', 2);
    take('first tenant, chunk 1', 0);
    take('second tenant', 1);
    take('first tenant, chunk 2', 0);
    held();
    await settled();
    expect(order).toEqual(['first tenant, chunk 1', 'first tenant, chunk 2', 'second tenant', 'third tenant']);
  });

  it('lets the waiter behind a stopped head in at once if it fits, without waiting for a release', async () => {
    const budget = new Budget(100);
    const held = await budget.reserve(50);
    const stop = new AbortController();
    const big = budget.reserve(80, stop.signal);
    let small: (() => void) | undefined;
    void budget.reserve(40).then((release) => (small = release));
    await settled();
    expect(small).toBeUndefined();
    stop.abort(new Error('SIGTERM'));
    await expect(big).rejects.toThrow('SIGTERM');
    await settled();
    expect(small).toBeTypeOf('function');
    expect(budget.held).toBe(90);
    small!();
    held();
  });

  it('lets a waiter of a later rank that is stopped leave the queue without blocking the others', async () => {
    const budget = new Budget(100);
    const held = await budget.reserve(100);
    const stop = new AbortController();
    const order: number[] = [];
    const late = budget.reserve(100, stop.signal, 5);
    void budget.reserve(100, undefined, 9).then((release) => (order.push(9), release()));
    stop.abort(new Error('deadline'));
    await expect(late).rejects.toThrow('deadline');
    held();
    await settled();
    expect(order).toEqual([9]);
    expect(budget.held).toBe(0);
  });
});

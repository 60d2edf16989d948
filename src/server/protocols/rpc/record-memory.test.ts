import { describe, expect, it } from 'vitest';
import { EXEMPT_RECORD_BYTES, RecordMemory, RecordMemoryGate } from './record-memory.ts';

const MiB = 1024 * 1024;

/** A gate and the order in which gates were granted. */
function gates(memory: RecordMemory, n: number, granted: number[] = []): RecordMemoryGate[] {
  return Array.from({ length: n }, (_, i) => new RecordMemoryGate(memory, () => granted.push(i)));
}

describe('RecordMemory', () => {
  it('admits records until the budget is spent, then makes the next wait', () => {
    const memory = new RecordMemory(4 * MiB);
    const [a, b, c] = gates(memory, 3);
    expect(a!.admit(2 * MiB)).toBe(true);
    expect(b!.admit(2 * MiB)).toBe(true);
    expect(c!.admit(MiB)).toBe(false);
    expect(c!.waiting).toBe(true);
    // Asked again before anything was freed: still waiting, still queued once.
    expect(c!.admit(MiB)).toBe(false);
    expect(memory.used).toBe(4 * MiB);
    expect(memory.waits).toBe(1);
  });

  it('lets small records in without reserving, even when the budget is spent', () => {
    const memory = new RecordMemory(MiB);
    const [big, small] = gates(memory, 2);
    expect(big!.admit(MiB)).toBe(true);
    expect(small!.admit(EXEMPT_RECORD_BYTES)).toBe(true);
    expect(memory.used).toBe(MiB);
    small!.settle();
    expect(memory.used).toBe(MiB);
  });

  it('grants freed memory first come, first served, ahead of newcomers', () => {
    const memory = new RecordMemory(2 * MiB);
    const granted: number[] = [];
    const [holder, first, second, late] = gates(memory, 4, granted);
    expect(holder!.admit(2 * MiB)).toBe(true);
    expect(first!.admit(2 * MiB)).toBe(false);
    expect(second!.admit(MiB)).toBe(false);
    holder!.settle();
    expect(granted).toEqual([1]);
    // A newcomer queues behind the one still waiting, though it would fit nowhere anyway.
    expect(late!.admit(MiB)).toBe(false);
    expect(first!.admit(2 * MiB)).toBe(true);
    first!.settle();
    expect(granted).toEqual([1, 2, 3]);
    expect(memory.used).toBe(2 * MiB);
  });

  it('grows a multi-fragment record by what it lacks, and frees all of it at the end', () => {
    const memory = new RecordMemory(4 * MiB);
    const [g] = gates(memory, 1);
    expect(g!.admit(MiB)).toBe(true);
    expect(g!.admit(3 * MiB)).toBe(true);
    expect(memory.used).toBe(3 * MiB);
    g!.settle();
    expect(memory.used).toBe(0);
  });

  it('lets a record larger than the whole budget in when nothing else holds any', () => {
    const memory = new RecordMemory(MiB);
    const granted: number[] = [];
    const [small, huge] = gates(memory, 2, granted);
    expect(small!.admit(MiB / 2)).toBe(true);
    expect(huge!.admit(3 * MiB)).toBe(false);
    small!.settle();
    expect(granted).toEqual([1]);
    expect(memory.used).toBe(3 * MiB);
  });

  it('gives back what a closed connection held or waited for', () => {
    const memory = new RecordMemory(2 * MiB);
    const granted: number[] = [];
    const [holder, quitter, next] = gates(memory, 3, granted);
    expect(holder!.admit(2 * MiB)).toBe(true);
    expect(quitter!.admit(2 * MiB)).toBe(false);
    expect(next!.admit(MiB)).toBe(false);
    quitter!.close();
    expect(granted).toEqual([]);
    holder!.close();
    expect(granted).toEqual([2]);
    expect(memory.used).toBe(MiB);
  });
});

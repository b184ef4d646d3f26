import { describe, expect, it } from 'vitest';
import { lineDiff, stableJson } from '../src/components/Diff';

describe('stableJson', () => {
  it('sorts keys at every depth so equal objects print equally', () => {
    expect(stableJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      stableJson({ a: { c: null, d: [2, { e: 0, f: 1 }] }, b: 1 }),
    );
    expect(stableJson({ b: 1, a: 2 }).split('\n')[1].trim()).toBe('"a": 2,');
  });
});

describe('lineDiff', () => {
  it('keeps common lines and marks removed and added ones', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc')).toEqual([
      { op: ' ', line: 'a' },
      { op: '-', line: 'b' },
      { op: '+', line: 'x' },
      { op: ' ', line: 'c' },
    ]);
  });

  it('handles empty sides', () => {
    expect(lineDiff('', 'a')).toEqual([
      { op: '-', line: '' },
      { op: '+', line: 'a' },
    ]);
    expect(lineDiff('a\nb', 'a\nb').every((r) => r.op === ' ')).toBe(true);
  });
});

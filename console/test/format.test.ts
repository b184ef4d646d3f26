import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtCpu } from '../src/format';

describe('fmtCpu', () => {
  it('writes millicores below one core and cores above', () => {
    expect(fmtCpu(0)).toBe('0');
    expect(fmtCpu(250)).toBe('250m');
    expect(fmtCpu(999)).toBe('999m');
    expect(fmtCpu(1000)).toBe('1');
    expect(fmtCpu(2500)).toBe('2.5');
    expect(fmtCpu(12345)).toBe('12.3');
  });
});

describe('fmtBytes', () => {
  it('uses binary units with one decimal below 100', () => {
    expect(fmtBytes(0)).toBe('0 B');
    expect(fmtBytes(1023)).toBe('1023 B');
    expect(fmtBytes(64 * 2 ** 20)).toBe('64 MiB');
    expect(fmtBytes(1.5 * 2 ** 30)).toBe('1.5 GiB');
    expect(fmtBytes(128 * 2 ** 20)).toBe('128 MiB');
    expect(fmtBytes(3 * 2 ** 40)).toBe('3 TiB');
  });
});

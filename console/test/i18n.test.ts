// The two dictionaries: same keys (tsc checks that too), the same placeholders in every message, and no
// English left untranslated in the Chinese one.
import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('have the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same placeholders in each message', () => {
    const wrong = Object.entries(en)
      .filter(([k, v]) => placeholders(v).join() !== placeholders(zhCN[k as keyof typeof en]).join())
      .map(([k]) => k);
    expect(wrong).toEqual([]);
  });

  it('translate every message that has words', () => {
    // Messages that are the same in both are fine when they hold nothing but names (formats, products),
    // placeholders and code.
    const names = /\b(properties|yaml|json|env|java|kubeconfig|kubernetes|ldap|wharf|apollo|cpu|qos)\b/gi;
    const untranslated = Object.entries(en)
      .filter(([k, v]) => zhCN[k as keyof typeof en] === v && /[a-z]{3,}/i.test(v.replace(/\{\w+\}|`[^`]*`/g, '').replace(names, '')))
      .map(([k]) => k);
    expect(untranslated).toEqual([]);
  });
});

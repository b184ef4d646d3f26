// The config centre's shapes beyond api/types.ts, and the pure helpers its parts share: a key-by-key diff of
// two snapshots (the server's /diff covers two snapshots of one environment; environments are compared
// here), the API paths, and a download of text as a file.
import type { ConfigItem } from '../../../api/types';

export const MASK = '******';
export const TYPES = ['string', 'int', 'bool', 'json', 'yaml', 'properties', 'text'];
export const FORMATS = ['properties', 'env', 'yaml', 'json'] as const;
export type Format = (typeof FORMATS)[number];
export const APPLY = ['none', 'restart', 'hot'] as const;
export type Apply = (typeof APPLY)[number];

export interface Validation {
  regex?: string;
  min?: number;
  max?: number;
}

export type Item = ConfigItem & { validation?: Validation };

// One key's change between two snapshots, as GET .../config/diff answers it.
export interface KeyChange {
  key: string;
  change: 'added' | 'removed' | 'changed' | string;
  fields?: string[]; // what changed: value, type, comment, validation, secret
  secret?: boolean;
  oldValue?: string;
  newValue?: string;
}

export interface DiffAnswer {
  from: number | 'draft';
  to: number | 'draft';
  changes: KeyChange[];
}

export interface PublishAnswer {
  version: number;
  apply?: Apply;
  release?: { revision: number };
  releaseError?: { code: string; message: string };
}

export interface LiveAnswer {
  version: number;
  items: Item[];
  message?: string;
  createdBy?: string;
  createdAt?: string;
}

// A snapshot of one environment: "draft", or a version number (0: nothing yet).
export type Snapshot = number | 'draft';

// The suffix of the config paths that may reveal secrets.
export const revealQ = (reveal: boolean, sep = '?') => (reveal ? `${sep}reveal=1` : '');

export const isMasked = (i: Item | undefined) => !!i && i.secret && i.value === MASK;

// Delivered as a file under /etc/wharf/config rather than as a variable (core/config_item.h).
export function isFileItem(i: Pick<Item, 'key' | 'type'>): boolean {
  return ['yaml', 'properties', 'text'].includes(i.type) || (i.type === 'json' && i.key.length > 5 && i.key.endsWith('.json'));
}

const sameValidation = (a?: Validation, b?: Validation) =>
  (a?.regex ?? '') === (b?.regex ?? '') && a?.min === b?.min && a?.max === b?.max;

// The changes that turn `from` into `to`, sorted by key, as the server's diff_config makes them. Two masked
// secrets cannot be compared: their keys are returned in `hidden` instead (unless another field changed).
export function diffItems(from: Item[], to: Item[]): { changes: KeyChange[]; hidden: string[] } {
  const a = new Map(from.map((i) => [i.key, i]));
  const b = new Map(to.map((i) => [i.key, i]));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: KeyChange[] = [];
  const hidden: string[] = [];
  for (const key of keys) {
    const x = a.get(key);
    const y = b.get(key);
    const secret = !!(x?.secret || y?.secret);
    if (!x) {
      changes.push({ key, change: 'added', secret, newValue: secret ? undefined : y!.value });
      continue;
    }
    if (!y) {
      changes.push({ key, change: 'removed', secret, oldValue: secret ? undefined : x.value });
      continue;
    }
    const fields: string[] = [];
    const unknown = isMasked(x) && isMasked(y);
    if (!unknown && x.value !== y.value) fields.push('value');
    if (x.type !== y.type) fields.push('type');
    if ((x.comment ?? '') !== (y.comment ?? '')) fields.push('comment');
    if (!sameValidation(x.validation, y.validation)) fields.push('validation');
    if (x.secret !== y.secret) fields.push('secret');
    if (fields.length)
      changes.push({ key, change: 'changed', fields, secret, oldValue: secret ? undefined : x.value, newValue: secret ? undefined : y.value });
    else if (unknown) hidden.push(key);
  }
  return { changes, hidden };
}

export function describeValidation(v?: Validation): string {
  if (!v) return '';
  const parts: string[] = [];
  if (v.regex) parts.push(`/${v.regex}/`);
  if (v.min !== undefined || v.max !== undefined) parts.push(`${v.min ?? '−∞'}…${v.max ?? '∞'}`);
  return parts.join(' ');
}

export const FORMAT_EXT: Record<Format, string> = { properties: 'properties', env: 'env', yaml: 'yaml', json: 'json' };

// The format a file name suggests, if any.
export function formatOfName(name: string): Format | undefined {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (ext === 'yml' || ext === 'yaml') return 'yaml';
  if (ext === 'json') return 'json';
  if (ext === 'properties') return 'properties';
  if (ext === 'env' || name.toLowerCase().startsWith('.env')) return 'env';
  return undefined;
}

// Offers `text` as a file download (an object URL on a temporary link; no dependency).
export function downloadText(name: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}

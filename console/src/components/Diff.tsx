// Differences shown as rows of (what, before, after), and a line diff of two texts (a release's spec).
import { useI18n } from '../i18n';

export interface Change {
  what: string;
  before: string;
  after: string;
}

export function ChangeTable({ changes, caption, before, after }: { changes: Change[]; caption: string; before?: string; after?: string }) {
  const { t } = useI18n();
  return (
    <table className="changes">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('diff.what')}</th>
          <th scope="col">{before ?? t('diff.before')}</th>
          <th scope="col">{after ?? t('diff.after')}</th>
        </tr>
      </thead>
      <tbody>
        {changes.length === 0 && (
          <tr>
            <td colSpan={3}>{t('diff.none')}</td>
          </tr>
        )}
        {changes.map((c) => (
          <tr key={c.what} className={c.before === c.after ? '' : 'changed'}>
            <th scope="row">{c.what}</th>
            <td className="old">{c.before}</td>
            <td className="new">{c.after}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Longest common subsequence over lines: specs are small (tens of lines).
export function lineDiff(a: string, b: string): { op: ' ' | '-' | '+'; line: string }[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: { op: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: ' ', line: x[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: '-', line: x[i++] });
    else out.push({ op: '+', line: y[j++] });
  }
  while (i < n) out.push({ op: '-', line: x[i++] });
  while (j < m) out.push({ op: '+', line: y[j++] });
  return out;
}

export function TextDiff({ before, after, label }: { before: string; after: string; label: string }) {
  const rows = lineDiff(before, after);
  return (
    <pre className="textdiff" aria-label={label} tabIndex={0}>
      {rows.map((r, i) => (
        <div key={i} className={r.op === '+' ? 'add' : r.op === '-' ? 'del' : ''}>
          {r.op} {r.line}
        </div>
      ))}
    </pre>
  );
}

// JSON with sorted keys, so two specs compare line by line.
export function stableJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x && typeof x === 'object')
      return Object.fromEntries(Object.keys(x as object).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]));
    return x;
  };
  return JSON.stringify(sort(v), null, 2);
}

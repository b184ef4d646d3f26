// What changes between two config snapshots, key by key, in the console's ChangeTable: one row for an added
// or removed key, one row per changed field (value, type, comment, validation, secrecy) of a changed key,
// and a line diff below for multi-line values. Secret values stay masked unless the caller revealed them.
import { useMemo } from 'react';
import { useI18n, type MessageKey } from '../../../i18n';
import { ChangeTable, TextDiff, type Change } from '../../../components/Diff';
import { MASK, describeValidation, type Item, type KeyChange } from './model';

const FIELD_KEYS: Record<string, MessageKey> = {
  value: 'config.value',
  type: 'config.type',
  comment: 'config.comment',
  validation: 'config.validation',
  secret: 'config.secret',
};

export function ConfigDiff({ changes, before, after, beforeLabel, afterLabel, caption, reveal, hidden = [], testId, words, quiet }: {
  changes: KeyChange[];
  before: Item[];
  after: Item[];
  beforeLabel: string;
  afterLabel: string;
  caption: string;
  reveal: boolean;
  hidden?: string[];
  testId?: string;
  // What an added and a removed key are called (two environments: "only in prod", "only in dev").
  words?: { added: string; removed: string; summary: string };
  // The caption only for screen readers (a heading above already says it).
  quiet?: boolean;
}) {
  const { t } = useI18n();
  const { rows, texts, counts } = useMemo(() => {
    const bm = new Map(before.map((i) => [i.key, i]));
    const am = new Map(after.map((i) => [i.key, i]));
    const shown = (i: Item | undefined, fallback?: string) => {
      if (!i) return fallback ?? '—';
      if (i.secret && (!reveal || i.value === MASK)) return MASK;
      return i.value === '' ? t('config.emptyValue') : i.value;
    };
    const whole = (i: Item | undefined, fallback?: string) =>
      i ? `${shown(i)} (${i.type}${i.secret ? `, ${t('config.secret').toLowerCase()}` : ''})` : (fallback ?? '—');
    const field = (i: Item | undefined, f: string, fallback?: string): string => {
      if (!i) return '—';
      switch (f) {
        case 'value':
          return shown(i, fallback);
        case 'type':
          return i.type;
        case 'comment':
          return i.comment || '—';
        case 'validation':
          return describeValidation(i.validation) || '—';
        case 'secret':
          return i.secret ? t('config.isSecret') : t('config.notSecret');
        default:
          return '';
      }
    };
    const rows: Change[] = [];
    const texts: { key: string; before: string; after: string }[] = [];
    const counts = { added: 0, removed: 0, changed: 0 };
    for (const c of changes) {
      const x = bm.get(c.key);
      const y = am.get(c.key);
      const label = (what: string) => `${c.key} · ${what}`;
      if (c.change === 'added') {
        counts.added++;
        rows.push({ what: label(words?.added ?? t('change.added')), before: '—', after: whole(y, c.newValue) });
      } else if (c.change === 'removed') {
        counts.removed++;
        rows.push({ what: label(words?.removed ?? t('change.removed')), before: whole(x, c.oldValue), after: '—' });
      } else {
        counts.changed++;
        for (const f of c.fields?.length ? c.fields : ['value']) {
          const b = field(x, f, c.oldValue);
          let a = field(y, f, c.newValue);
          // Two masks say nothing: say that the secret's value changed.
          if (f === 'value' && b === MASK && a === MASK) a = t('config.secretChanged');
          rows.push({ what: label(FIELD_KEYS[f] ? t(FIELD_KEYS[f]) : f), before: b, after: a });
          const multiline = x && y && (x.value.includes('\n') || y.value.includes('\n'));
          if (f === 'value' && multiline && a !== MASK && b !== MASK && a !== t('config.secretChanged'))
            texts.push({ key: c.key, before: x.value, after: y.value });
        }
      }
    }
    return { rows, texts, counts };
  }, [changes, before, after, reveal, t, words]);
  return (
    <div className={`config-diff ${quiet ? 'quiet' : ''}`} data-testid={testId}>
      {(changes.length > 0 || hidden.length > 0) && (
        <p className="muted small">
          {changes.length > 0 && `${words?.summary ?? t('config.summary', counts)} `}
          {hidden.length > 0 && t('config.hiddenSecrets', { keys: hidden.join(', ') })}
        </p>
      )}
      <ChangeTable caption={caption} before={beforeLabel} after={afterLabel} changes={rows} />
      {texts.map((x) => (
        <div key={x.key} className="config-textdiff">
          <h3 className="small">{t('config.lineDiff', { key: x.key })}</h3>
          <TextDiff label={t('config.lineDiff', { key: x.key })} before={x.before} after={x.after} />
        </div>
      ))}
    </div>
  );
}

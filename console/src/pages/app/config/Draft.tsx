// The draft of an app's config in one environment, as an editable table: key, type, value, comment and
// secrecy per item, each item's problems (the draft's own, a refused save's, a refused publish's) on its
// row. The items being edited live in useDraftEditor, which the publish form shares (publishing saves
// unsaved edits first).
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../../../i18n';
import { useAction, useGet, type Loaded } from '../../../hooks';
import { put, type ApiError } from '../../../api/client';
import type { ConfigDraft } from '../../../api/types';
import { Empty, ErrorBanner, fieldError } from '../../../components/ui';
import { MASK, TYPES, describeValidation, isFileItem, revealQ, type Item } from './model';

export interface DraftEditor {
  draft: Loaded<ConfigDraft>;
  items: Item[];
  dirty: boolean;
  setItems: (items: Item[]) => void;
  discard: () => void;
  save: ReturnType<typeof useAction>;
  // Saves the edits; the saved draft, or undefined when the API refused (save.error says why).
  saveDraft: () => Promise<ConfigDraft | undefined>;
}

export function useDraftEditor(base: string, reveal: boolean, ...keys: unknown[]): DraftEditor {
  const draft = useGet<ConfigDraft>(`${base}/config/draft${revealQ(reveal)}`, ...keys);
  const [items, setItemsState] = useState<Item[]>([]);
  const [dirty, setDirty] = useState(false);
  const save = useAction();
  useEffect(() => {
    if (draft.data && !dirty) setItemsState(draft.data.items.map((i) => ({ ...i, comment: i.comment ?? '' })));
  }, [draft.data, dirty]);
  const setItems = (next: Item[]) => {
    setItemsState(next);
    setDirty(true);
  };
  const discard = () => {
    setDirty(false);
    save.setError(undefined);
    draft.reload();
  };
  const saveDraft = () =>
    save.run(async () => {
      const saved = await put<ConfigDraft>(`${base}/config/draft`, { items, resourceVersion: draft.data?.resourceVersion ?? 0 });
      setDirty(false);
      draft.reload();
      return saved;
    });
  return { draft, items, dirty, setItems, discard, save, saveDraft };
}

// The error of a refused save that names item i ("items[3].value").
function rowError(error: ApiError | undefined, i: number): string | undefined {
  return fieldError(error, `items.${i}`) ?? (error?.field?.startsWith(`items[${i}]`) ? error.message : undefined);
}

export function DraftTable({ editor, publishError, canEdit, reveal }: {
  editor: DraftEditor;
  publishError?: ApiError;
  canEdit: boolean;
  reveal: boolean;
}) {
  const { t, fmtTime } = useI18n();
  const { draft, items, dirty, setItems, save } = editor;

  // Problems by key: the draft's own (as saved), then a refused publish's items.
  const problems = useMemo(() => {
    const m = new Map<string, string[]>();
    const add = (key: string, msg: string) => {
      const list = m.get(key) ?? [];
      if (!list.includes(msg)) m.set(key, [...list, msg]);
    };
    if (!dirty) draft.data?.problems.forEach((p) => add(p.key, p.message));
    publishError?.items.forEach((p) => add(p.key, p.message));
    return m;
  }, [draft.data, publishError, dirty]);

  const update = (i: number, patch: Partial<Item>) => setItems(items.map((it, j) => (j === i ? { ...it, ...patch } : it)));
  const rowFieldError = items.some((_, i) => rowError(save.error, i));

  return (
    <section aria-labelledby="cfg-draft">
      <div className="section-head">
        <h2 id="cfg-draft">
          {t('config.draft')}{' '}
          <span className="muted small">
            {t('config.base', { v: draft.data?.baseVersion ?? 0 })}
            {draft.data?.updatedBy ? ` · ${draft.data.updatedBy} ${fmtTime(draft.data.updatedAt)}` : ''}
          </span>
        </h2>
        {canEdit && (
          <div className="actions">
            <button type="button" onClick={() => setItems([...items, { key: '', value: '', type: 'string', comment: '', secret: false }])}>
              {t('config.add')}
            </button>
            <button
              type="button"
              className="primary"
              disabled={!dirty || save.busy}
              onClick={() => void editor.saveDraft()}
              data-testid="config-save"
            >
              {t('config.save')}
            </button>
            {dirty && (
              <button type="button" onClick={editor.discard}>
                {t('config.discard')}
              </button>
            )}
          </div>
        )}
      </div>
      <ErrorBanner message={draft.error?.message} />
      <ErrorBanner message={save.error && !rowFieldError ? save.error.message : undefined} />
      {items.length === 0 ? (
        <Empty>{draft.data ? t('config.empty') : t('common.loading')}</Empty>
      ) : (
        <table className="list config-items" data-testid="config-items">
          <caption className="sr-only">{t('config.draft')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('config.key')}</th>
              <th scope="col">{t('config.type')}</th>
              <th scope="col">{t('config.value')}</th>
              <th scope="col">{t('config.comment')}</th>
              <th scope="col">{t('config.secret')}</th>
              {canEdit && (
                <th scope="col">
                  <span className="sr-only">{t('common.remove')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {items.map((it, i) => {
              const errs = [...(problems.get(it.key) ?? [])];
              const fe = rowError(save.error, i);
              if (fe) errs.push(fe);
              const multi = isFileItem(it) || it.type === 'json';
              const errId = `cfg-err-${i}`;
              const hintId = `cfg-hint-${i}`;
              const rule = describeValidation(it.validation);
              const describedBy = [errs.length ? errId : '', rule ? hintId : ''].filter(Boolean).join(' ') || undefined;
              const masked = it.secret && it.value === MASK;
              const valueProps = {
                'aria-label': t('config.valueOf', { key: it.key }),
                value: it.value,
                readOnly: !canEdit,
                'aria-invalid': errs.length > 0,
                'aria-describedby': describedBy,
                // A mask is replaced, not edited: focusing it selects it.
                onFocus: masked ? (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => e.currentTarget.select() : undefined,
              };
              return (
                <tr key={i} className={errs.length ? 'has-error' : ''} data-key={it.key}>
                  <td>
                    <input
                      aria-label={t('config.keyOf', { n: i + 1 })}
                      value={it.key}
                      readOnly={!canEdit}
                      onChange={(e) => update(i, { key: e.target.value })}
                      aria-invalid={errs.length > 0}
                      aria-describedby={errs.length ? errId : undefined}
                      spellCheck={false}
                    />
                  </td>
                  <td>
                    <select
                      aria-label={t('config.typeOf', { key: it.key })}
                      value={it.type}
                      disabled={!canEdit}
                      onChange={(e) => update(i, { type: e.target.value })}
                    >
                      {TYPES.map((x) => (
                        <option key={x}>{x}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {multi ? (
                      <textarea {...valueProps} rows={3} spellCheck={false} onChange={(e) => update(i, { value: e.target.value })} />
                    ) : (
                      <input
                        {...valueProps}
                        type={it.secret && !reveal ? 'password' : 'text'}
                        autoComplete="off"
                        spellCheck={false}
                        onChange={(e) => update(i, { value: e.target.value })}
                      />
                    )}
                    {rule && (
                      <div className="hint" id={hintId}>
                        {t('config.rule', { rule })}
                      </div>
                    )}
                    {errs.length > 0 && (
                      <div className="field-error" id={errId} role="alert">
                        {errs.join('; ')}
                      </div>
                    )}
                  </td>
                  <td>
                    <input
                      aria-label={t('config.commentOf', { key: it.key })}
                      value={it.comment}
                      readOnly={!canEdit}
                      onChange={(e) => update(i, { comment: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('config.secretOf', { key: it.key })}
                      checked={it.secret}
                      disabled={!canEdit}
                      onChange={(e) => update(i, { secret: e.target.checked })}
                    />
                  </td>
                  {canEdit && (
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-label={t('config.removeKey', { key: it.key || String(i + 1) })}
                        onClick={() => setItems(items.filter((_, j) => j !== i))}
                      >
                        {t('common.remove')}
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

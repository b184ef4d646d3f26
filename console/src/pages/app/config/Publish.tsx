// What the draft changes since its base version (key by key), and publishing it: a message, and what the
// publish does besides storing the version (apply: none, restart, hot). A 422 lists every invalid item
// (shown on its row by the draft table), a refused apply is shown next to the apply choice.
import { useId, useState } from 'react';
import { useI18n, type MessageKey } from '../../../i18n';
import { useGet, type useAction } from '../../../hooks';
import { post } from '../../../api/client';
import type { ConfigVersion } from '../../../api/types';
import { ErrorBanner, Field, fieldError, formError } from '../../../components/ui';
import { ConfigDiff } from './ConfigDiff';
import type { DraftEditor } from './Draft';
import { APPLY, revealQ, type Apply, type PublishAnswer } from './model';

const APPLY_HINTS: Record<Apply, MessageKey> = { none: 'config.applyNoneHint', restart: 'config.applyRestartHint', hot: 'config.applyHotHint' };
const APPLY_LABELS: Record<Apply, MessageKey> = { none: 'config.applyNone', restart: 'config.applyRestart', hot: 'config.applyHot' };

export function DraftChanges({ base, editor, reveal }: { base: string; editor: DraftEditor; reveal: boolean }) {
  const { t } = useI18n();
  const draft = editor.draft.data;
  const baseVersion = draft?.baseVersion ?? 0;
  const before = useGet<ConfigVersion>(baseVersion > 0 ? `${base}/config/versions/${baseVersion}${revealQ(reveal)}` : null);
  return (
    <section aria-labelledby="cfg-changes">
      <h2 id="cfg-changes">{t('config.changes')}</h2>
      {editor.dirty && <p className="muted">{t('config.unsaved')}</p>}
      {draft && (draft.changes.length === 0 ? (
        <p className="empty">{t('config.noChanges')}</p>
      ) : (
        <div className="changes-list">
          <ConfigDiff
            caption={t('config.changesCaption', { v: baseVersion })}
            changes={draft.changes}
            before={baseVersion > 0 ? (before.data?.items ?? []) : []}
            after={draft.items}
            beforeLabel={baseVersion > 0 ? `v${baseVersion}` : t('config.nothing')}
            afterLabel={t('config.draft')}
            reveal={reveal}
            testId="config-draft-changes"
            quiet
          />
        </div>
      ))}
    </section>
  );
}

export function PublishForm({ base, editor, publish, canRestart, onPublished }: {
  base: string;
  editor: DraftEditor;
  publish: ReturnType<typeof useAction>;
  canRestart: boolean;
  onPublished: () => void;
}) {
  const { t } = useI18n();
  const [message, setMessage] = useState('');
  const [apply, setApply] = useState<Apply>('none');
  const [result, setResult] = useState<PublishAnswer | null>(null);
  const applyId = useId();
  const applyErr = fieldError(publish.error, 'apply');
  const doPublish = () =>
    !publish.busy &&
    publish.run(async () => {
      setResult(null);
      let rv = editor.draft.data?.resourceVersion ?? 0;
      if (editor.dirty) {
        const saved = await editor.saveDraft();
        if (!saved) return;
        rv = saved.resourceVersion;
      }
      const v = await post<PublishAnswer>(`${base}/config/publish`, { message, apply, resourceVersion: rv });
      setResult(v);
      setMessage('');
      editor.draft.reload();
      onPublished();
    });
  const done = result
    ? result.apply === 'hot'
      ? t('config.publishedHot', { v: result.version })
      : result.apply === 'restart' && result.release
        ? t('config.publishedRestart', { v: result.version, r: result.release.revision })
        : result.apply === 'restart'
          ? t('config.publishedOnly', { v: result.version })
          : t('config.published', { v: result.version })
    : '';
  return (
    <form
      className="config-publish"
      aria-label={t('config.publish')}
      onSubmit={(e) => {
        e.preventDefault();
        void doPublish();
      }}
      noValidate
    >
      <ErrorBanner message={formError(publish.error, 'message', 'apply')} />
      {result && (
        <div className="banner ok" role="status">
          {done}
        </div>
      )}
      {result?.releaseError && <ErrorBanner message={t('config.restartFailed', { message: result.releaseError.message })} />}
      <Field label={t('config.publishMessage')} error={fieldError(publish.error, 'message')} hint={t('config.publishMessageHint')}>
        {(p) => <input {...p} value={message} onChange={(e) => setMessage(e.target.value)} />}
      </Field>
      <fieldset className={`apply ${applyErr ? 'has-error' : ''}`} aria-describedby={applyErr ? `${applyId}-err` : undefined}>
        <legend>{t('config.apply')}</legend>
        {APPLY.map((a) => {
          const disabled = a === 'restart' && !canRestart;
          return (
            <label key={a} className={`choice ${disabled ? 'disabled' : ''}`}>
              <input
                type="radio"
                name={`${applyId}-apply`}
                value={a}
                checked={apply === a}
                disabled={disabled}
                onChange={() => setApply(a)}
                aria-describedby={`${applyId}-${a}`}
              />
              <span>
                <strong>{t(APPLY_LABELS[a])}</strong>{' '}
                <span className="hint" id={`${applyId}-${a}`}>
                  {t(APPLY_HINTS[a])}
                  {disabled ? ` ${t('config.applyRestartDenied')}` : ''}
                </span>
              </span>
            </label>
          );
        })}
        {applyErr && (
          <div className="field-error" id={`${applyId}-err`} role="alert">
            {applyErr}
          </div>
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" aria-disabled={publish.busy} data-testid="config-publish">
          {t('config.publish')}
        </button>
      </div>
    </form>
  );
}

// Copy of this environment's config (the draft, or a published version) into another environment's draft
// (POST .../config/copy-to). The target's whole draft is replaced and nothing is published there. Before the
// copy, its dry run shows what the target's draft would change since its own base version; after, the same
// for what it now changes.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../../../i18n';
import { useAction, useGet } from '../../../hooks';
import { appEnvPath, post } from '../../../api/client';
import type { ConfigDraft, ConfigVersion, Environment } from '../../../api/types';
import { Dialog, DialogActions, ErrorBanner, Field, fieldError, formError } from '../../../components/ui';
import { navigate, paths } from '../../../router';
import { ConfigDiff } from './ConfigDiff';
import type { Item } from './model';

type CopyAnswer = ConfigDraft & { copiedFrom: { environment: string; version: number | 'draft' } };
interface Copied {
  to: string;
  answer: CopyAnswer;
}

const copyBody = (environment: string, from: string) => ({ environment, from: from === 'draft' ? 'draft' : Number(from) });

export function CopyDialog({ project, app, env, envs, versions, onClose }: {
  project: string;
  app: string;
  env: string;
  envs: Environment[];
  versions: ConfigVersion[];
  onClose: () => void;
}) {
  const { t } = useI18n();
  const others = envs.filter((e) => e.name !== env);
  const [target, setTarget] = useState(others[0]?.name ?? '');
  const [from, setFrom] = useState('draft');
  const [result, setResult] = useState<Copied | null>(null);
  const [plan, setPlan] = useState<CopyAnswer | null>(null);
  const { error, busy, run } = useAction();
  useEffect(() => {
    setPlan(null);
    if (!target) return;
    let live = true;
    post<CopyAnswer>(`${appEnvPath(project, app, env)}/config/copy-to?dryRun=true`, copyBody(target, from))
      .then((p) => live && setPlan(p))
      .catch(() => {}); // the copy itself shows the error next to its field
    return () => {
      live = false;
    };
  }, [project, app, env, target, from]);
  // The result takes the focus (the button, disabled while it ran, lost it).
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);
  const copied = result?.answer ?? plan ?? undefined;
  const to = result?.to ?? target;
  const targetBase = copied && copied.baseVersion > 0 ? `${appEnvPath(project, app, to)}/config/versions/${copied.baseVersion}` : null;
  const targetBefore = useGet<{ items: Item[] }>(targetBase);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      setResult(null);
      const r = await post<CopyAnswer>(`${appEnvPath(project, app, env)}/config/copy-to`, copyBody(target, from));
      setResult({ to: target, answer: r });
    });
  };
  const fromLabel = (v: number | 'draft') => (v === 'draft' ? t('config.theDraft') : `v${v}`);
  return (
    <Dialog title={t('config.copyTitle', { env })} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'environment', 'from')} />
        <div className="grid2">
          <Field label={t('config.copyFrom')} error={fieldError(error, 'from')}>
            {(p) => (
              <select {...p} value={from} onChange={(e) => setFrom(e.target.value)}>
                <option value="draft">{t('config.theDraft')}</option>
                {versions.map((v) => (
                  <option key={v.version} value={String(v.version)}>
                    {`v${v.version}${v.message ? ` — ${v.message}` : ''}`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('config.copyTo')} error={fieldError(error, 'environment')}>
            {(p) => (
              <select {...p} value={target} onChange={(e) => setTarget(e.target.value)}>
                {others.map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.name}
                    {e.policy?.production ? ` (${t('config.production')})` : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <p className="hint">{t('config.copyHint', { env: target || '—' })}</p>
        {copied && (
          <div data-testid={result ? 'config-copy-result' : 'config-copy-preview'} tabIndex={-1} ref={resultRef} className="config-result">
            {result ? (
              <div className="banner ok" role="status">
                {t('config.copied', { n: copied.items.length, from: fromLabel(copied.copiedFrom.version), env: to })}
              </div>
            ) : (
              <h3>{t('config.copyPreview', { env: to })}</h3>
            )}
            {copied.changes.length === 0 ? (
              <p className="muted">{t('config.copySame', { env: to })}</p>
            ) : (
              (copied.baseVersion === 0 || targetBefore.data) && (
                <ConfigDiff
                  caption={t('config.copyChanges', { env: to })}
                  changes={copied.changes}
                  before={targetBefore.data?.items ?? []}
                  after={copied.items}
                  beforeLabel={copied.baseVersion > 0 ? `${to} v${copied.baseVersion}` : t('config.nothingLabel', { env: to })}
                  afterLabel={t('config.draftLabel', { env: to })}
                  reveal={false}
                />
              )
            )}
            {result && (
              <p>
                <button type="button" className="link" onClick={() => navigate(paths.app(project, app, to, 'config'))}>
                  {t('config.openTarget', { env: to })}
                </button>
              </p>
            )}
          </div>
        )}
        <DialogActions
          label={t('config.copyConfirm', { env: target })}
          busy={busy}
          disabled={!target}
          testId="config-copy-confirm"
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

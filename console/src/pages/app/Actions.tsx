// The actions on an app in an environment. Deploy and rollback are two-step: the choice, then exactly what
// will change (or be restored) before the caller confirms.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useI18n, type T } from '../../i18n';
import { useAction, useGet } from '../../hooks';
import { appEnvPath, enc, post } from '../../api/client';
import type { App, ConfigVersion, Page, Release, Tag } from '../../api/types';
import { ChangeTable, TextDiff, stableJson, type Change } from '../../components/Diff';
import { Dialog, DialogActions, ErrorBanner, Field, fieldError, formError } from '../../components/ui';

// "registry:port/team/web:tag" → its registry, repository and tag (a registry is the first part when it
// has a dot or a port, or is localhost).
export function parseImage(image: string): { registry: string; repository: string; tag: string } {
  let rest = image.split('@')[0];
  let registry = '';
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  const colon = rest.lastIndexOf(':');
  return colon > 0 ? { registry, repository: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { registry, repository: rest, tag: 'latest' };
}

const dash = (v: unknown) => (v === undefined || v === null || v === '' || v === 0 ? '—' : String(v));

// What a release changes compared with another: image, config version, replicas, then every other spec
// field that differs (compact JSON), so nothing in a deploy comes as a surprise.
export function releaseChanges(t: T, before: Release | undefined, after: Release): Change[] {
  const out: Change[] = [
    { what: t('app.image'), before: before ? before.image : '—', after: after.image },
    { what: t('deploy.configVersion'), before: dash(before?.configVersion), after: dash(after.configVersion) },
    { what: t('app.replicas'), before: before ? String(before.replicas) : '—', after: String(after.replicas) },
  ];
  const b = (before?.spec ?? {}) as unknown as Record<string, unknown>;
  const a = after.spec as unknown as Record<string, unknown>;
  const compact = (v: unknown) => {
    const text = v === undefined ? '—' : JSON.stringify(v);
    return text.length > 120 ? text.slice(0, 117) + '…' : text;
  };
  for (const k of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
    if (k === 'image' || k === 'replicas') continue;
    if (stableJson(b[k]) !== stableJson(a[k])) out.push({ what: `spec.${k}`, before: compact(b[k]), after: compact(a[k]) });
  }
  return out;
}

export function DeployDialog({ project, app, env, current, onClose }: { project: string; app: App; env: string; current?: Release; onClose: () => void }) {
  const { t } = useI18n();
  const base = appEnvPath(project, app.name, env);
  const currentImage = current?.image ?? app.image;
  const img = parseImage(currentImage);
  const tags = useGet<Page<Tag>>(
    img.registry ? `/api/v1/registries/${enc(img.registry)}/tags?repository=${enc(img.repository)}` : null,
  );
  const versions = useGet<Page<ConfigVersion>>(`${base}/config/versions?limit=100`);
  const [image, setImage] = useState(currentImage);
  const [configVersion, setConfigVersion] = useState<string>('');
  const [replicas, setReplicas] = useState(String(current?.replicas ?? app.replicas ?? 1));
  const [message, setMessage] = useState('');
  // The release the server would make (a dry run of the same call): what the review step shows.
  const [plan, setPlan] = useState<Release | null>(null);
  const { error, busy, run } = useAction();
  const changes = useMemo(() => (plan ? releaseChanges(t, current, plan) : []), [plan, current, t]);
  const specChanged = changes.some((c) => c.what.startsWith('spec.'));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = { image, replicas: Number(replicas), message };
    if (configVersion) body.configVersion = Number(configVersion);
    if (!plan) {
      void run(async () => setPlan(await post<Release>(`${base}/deploy?dryRun=true`, body)));
      return;
    }
    void run(async () => {
      await post(`${base}/deploy`, body);
      onClose();
      return true;
    }).then((ok) => {
      // Back to the form, where the error shows next to its field.
      if (!ok) setPlan(null);
    });
  };
  const tagOptions = tags.data?.items ?? [];
  const latest = versions.data?.items[0]?.version;
  return (
    <Dialog title={current ? t('deploy.titleUpgrade', { app: app.name, env }) : t('deploy.title', { app: app.name, env })} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <ol className="steps" aria-label={t('deploy.steps')}>
          <li aria-current={!plan ? 'step' : undefined}>{t('deploy.stepChoose')}</li>
          <li aria-current={plan ? 'step' : undefined}>{t('deploy.stepReview')}</li>
        </ol>
        <ErrorBanner message={formError(error, 'image', 'configVersion', 'replicas', 'message')} />
        {!plan ? (
          <div className="grid2">
            {tagOptions.length > 0 && (
              <Field label={t('deploy.tag')} hint={t('deploy.tagHint', { repo: `${img.registry}/${img.repository}` })}>
                {(p) => (
                  <select {...p} name="tag" value={tagOptions.some((x) => x.image === image) ? image : ''} onChange={(e) => e.target.value && setImage(e.target.value)}>
                    <option value="">{t('deploy.customImage')}</option>
                    {tagOptions.map((x) => (
                      <option key={x.name} value={x.image}>
                        {x.name}
                        {current && x.image === current.image ? ` (${t('deploy.current')})` : ''}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            <Field label={t('app.image')} error={fieldError(error, 'image')}>
              {(p) => <input {...p} name="image" value={image} onChange={(e) => setImage(e.target.value)} />}
            </Field>
            <Field label={t('deploy.configVersion')} error={fieldError(error, 'configVersion')} hint={t('deploy.configHint')}>
              {(p) => (
                <select {...p} name="configVersion" value={configVersion} onChange={(e) => setConfigVersion(e.target.value)}>
                  <option value="">{latest ? t('deploy.configLatest', { version: latest }) : t('deploy.configNone')}</option>
                  {(versions.data?.items ?? []).map((v) => (
                    <option key={v.version} value={String(v.version)}>
                      v{v.version} {v.message ? `— ${v.message}` : ''}
                      {current?.configVersion === v.version ? ` (${t('deploy.current')})` : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('app.replicas')} error={fieldError(error, 'replicas')}>
              {(p) => <input {...p} name="replicas" type="number" min={0} max={1000} value={replicas} onChange={(e) => setReplicas(e.target.value)} />}
            </Field>
            <Field label={t('deploy.message')} error={fieldError(error, 'message')} hint={t('deploy.messageHint')}>
              {(p) => <input {...p} name="message" value={message} onChange={(e) => setMessage(e.target.value)} />}
            </Field>
          </div>
        ) : (
          <>
            <ChangeTable caption={t('deploy.willChange')} changes={changes} />
            {!changes.some((c) => c.before !== c.after) && <p className="warn">{t('deploy.nothingChanges')}</p>}
            <details open={specChanged}>
              <summary>{current ? t('rollback.specDiff') : t('deploy.fullSpec')}</summary>
              <TextDiff label={t('rollback.specDiff')} before={current ? stableJson(current.spec) : ''} after={stableJson(plan.spec)} />
            </details>
            {message && (
              <p>
                {t('deploy.message')}: <q>{message}</q>
              </p>
            )}
          </>
        )}
        <DialogActions
          label={!plan ? t('deploy.review') : current ? t('deploy.confirmUpgrade') : t('deploy.confirm')}
          busy={busy}
          testId={!plan ? 'deploy-next' : 'deploy-confirm'}
          onCancel={onClose}
          before={
            plan && (
              <button type="button" onClick={() => setPlan(null)}>
                {t('common.back')}
              </button>
            )
          }
        />
      </form>
    </Dialog>
  );
}

export function RollbackDialog({ project, app, env, releases, onClose }: { project: string; app: string; env: string; releases: Release[]; onClose: () => void }) {
  const { t, fmtTime } = useI18n();
  const current = releases[0];
  const candidates = releases.filter((r) => r !== current && r.status === 'succeeded' && (r.kind === 'deploy' || r.kind === 'rollback'));
  const [target, setTarget] = useState<string>(candidates[0] ? String(candidates[0].revision) : '');
  const [message, setMessage] = useState('');
  const { error, busy, run } = useAction();
  const chosen = candidates.find((r) => String(r.revision) === target);
  // What the server would make of it (a dry run of the same call): the replicas stay as they are now.
  const [plan, setPlan] = useState<Release | null>(null);
  const base = appEnvPath(project, app, env);
  useEffect(() => {
    setPlan(null);
    if (!target) return;
    let live = true;
    post<Release>(`${base}/rollback?dryRun=true`, { toRevision: Number(target) })
      .then((p) => live && setPlan(p))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [base, target]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post(`${base}/rollback`, { toRevision: Number(target), message });
      onClose();
    });
  };
  return (
    <Dialog title={t('rollback.title', { app, env })} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'toRevision', 'message')} />
        {candidates.length === 0 ? (
          <p>{t('rollback.none')}</p>
        ) : (
          <>
            <Field label={t('rollback.revision')} error={fieldError(error, 'toRevision')}>
              {(p) => (
                <select {...p} name="revision" value={target} onChange={(e) => setTarget(e.target.value)}>
                  {candidates.map((r) => (
                    <option key={r.revision} value={String(r.revision)}>
                      r{r.revision} · {r.image.split('/').pop()} · {r.createdBy} · {fmtTime(r.createdAt)} {r.message ? `· ${r.message}` : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {chosen && current && plan && (
              <>
                <ChangeTable caption={t('rollback.restores', { revision: chosen.revision })} changes={releaseChanges(t, current, plan)} />
                <details>
                  <summary>{t('rollback.specDiff')}</summary>
                  <TextDiff label={t('rollback.specDiff')} before={stableJson(current.spec)} after={stableJson(plan.spec)} />
                </details>
              </>
            )}
            <Field label={t('deploy.message')} error={fieldError(error, 'message')}>
              {(p) => <input {...p} name="message" value={message} onChange={(e) => setMessage(e.target.value)} />}
            </Field>
          </>
        )}
        <DialogActions label={t('rollback.confirm', { revision: target })} busy={busy} disabled={!chosen} testId="rollback-confirm" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export function ScaleDialog({ project, app, env, current, onClose }: { project: string; app: string; env: string; current: Release; onClose: () => void }) {
  const { t } = useI18n();
  const [replicas, setReplicas] = useState(String(current.replicas));
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post(`${appEnvPath(project, app, env)}/scale`, { replicas: Number(replicas) });
      onClose();
    });
  };
  return (
    <Dialog title={t('scale.title', { app, env })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'replicas')} />
        <Field label={t('app.replicas')} error={fieldError(error, 'replicas')} hint={t('scale.hint', { n: current.replicas })}>
          {(p) => <input {...p} name="replicas" type="number" min={0} max={1000} value={replicas} onChange={(e) => setReplicas(e.target.value)} />}
        </Field>
        <DialogActions label={t('action.scale')} busy={busy} testId="scale-confirm" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export function OfflineDialog({ project, app, env, onClose }: { project: string; app: string; env: string; onClose: () => void }) {
  const { t } = useI18n();
  const [message, setMessage] = useState('');
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post(`${appEnvPath(project, app, env)}/offline`, { message });
      onClose();
    });
  };
  return (
    <Dialog title={t('offline.title', { app, env })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{t('offline.text')}</p>
        <ErrorBanner message={formError(error, 'message')} />
        <Field label={t('deploy.message')} error={fieldError(error, 'message')}>
          {(p) => <input {...p} name="message" value={message} onChange={(e) => setMessage(e.target.value)} />}
        </Field>
        <DialogActions label={t('action.offline')} busy={busy} danger testId="offline-confirm" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

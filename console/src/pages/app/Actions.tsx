// The actions on an app in an environment. Deploy and rollback are two-step: the choice, then exactly what
// will change (or be restored) before the caller confirms.
import { useMemo, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n';
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
  const [configVersion, setConfigVersion] = useState<string>(current?.configVersion ? String(current.configVersion) : '');
  const [replicas, setReplicas] = useState(String(current?.replicas ?? app.replicas ?? 1));
  const [message, setMessage] = useState('');
  const [step, setStep] = useState<'choose' | 'review'>('choose');
  const { error, busy, run } = useAction();
  const changes: Change[] = useMemo(
    () => [
      { what: t('app.image'), before: current ? current.image : '—', after: image },
      { what: t('deploy.configVersion'), before: dash(current?.configVersion), after: configVersion || (current?.configVersion ? String(current.configVersion) : '—') },
      { what: t('app.replicas'), before: current ? String(current.replicas) : '—', after: replicas },
    ],
    [current, image, configVersion, replicas, t],
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (step === 'choose') {
      setStep('review');
      return;
    }
    const body: Record<string, unknown> = { image, replicas: Number(replicas), message };
    if (configVersion) body.configVersion = Number(configVersion);
    void run(async () => {
      await post(`${base}/deploy`, body);
      onClose();
      return true;
    }).then((ok) => {
      // Back to the form, where the error shows next to its field.
      if (!ok) setStep('choose');
    });
  };
  const tagOptions = tags.data?.items ?? [];
  return (
    <Dialog title={current ? t('deploy.titleUpgrade', { app: app.name, env }) : t('deploy.title', { app: app.name, env })} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <ol className="steps" aria-label={t('deploy.steps')}>
          <li aria-current={step === 'choose' ? 'step' : undefined}>{t('deploy.stepChoose')}</li>
          <li aria-current={step === 'review' ? 'step' : undefined}>{t('deploy.stepReview')}</li>
        </ol>
        <ErrorBanner message={formError(error, 'image', 'configVersion', 'replicas', 'message')} />
        {step === 'choose' ? (
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
                  <option value="">{t('deploy.configKeep')}</option>
                  {(versions.data?.items ?? []).map((v) => (
                    <option key={v.version} value={String(v.version)}>
                      v{v.version} {v.message ? `— ${v.message}` : ''}
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
            {message && (
              <p>
                {t('deploy.message')}: <q>{message}</q>
              </p>
            )}
          </>
        )}
        <DialogActions
          label={step === 'choose' ? t('deploy.review') : current ? t('deploy.confirmUpgrade') : t('deploy.confirm')}
          busy={busy}
          testId={step === 'choose' ? 'deploy-next' : 'deploy-confirm'}
          onCancel={onClose}
          before={
            step === 'review' && (
              <button type="button" onClick={() => setStep('choose')}>
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
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post(`${appEnvPath(project, app, env)}/rollback`, { toRevision: Number(target), message });
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
            {chosen && current && (
              <>
                <ChangeTable
                  caption={t('rollback.restores', { revision: chosen.revision })}
                  changes={[
                    { what: t('app.image'), before: current.image, after: chosen.image },
                    { what: t('deploy.configVersion'), before: dash(current.configVersion), after: dash(chosen.configVersion) },
                    { what: t('app.replicas'), before: String(current.replicas), after: String(chosen.replicas) },
                  ]}
                />
                <details>
                  <summary>{t('rollback.specDiff')}</summary>
                  <TextDiff label={t('rollback.specDiff')} before={stableJson(current.spec)} after={stableJson(chosen.spec)} />
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

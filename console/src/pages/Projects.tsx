// Projects the caller can see, with their apps and environments counted, and (for those allowed) a form
// to create one.
import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useAction, useGet } from '../hooks';
import { enc, get, post } from '../api/client';
import type { App, Environment, Page, Project } from '../api/types';
import { Link, navigate, paths } from '../router';
import { Dialog, DialogActions, Empty, ErrorBanner, Field, fieldError, formError } from '../components/ui';
import { useTick } from '../watch';

// How many of a project's apps run as asked (every environment's newest release succeeded with all its
// instances ready), are on their way, or failed. The list has no status, so the first 50 apps are asked
// one by one (answers are cached by the server until something changes).
const HEALTH_SAMPLE = 50;

function Health({ project, apps, tick }: { project: string; apps: App[]; tick: number }) {
  const { t } = useI18n();
  const [health, setHealth] = useState<{ ok: number; busy: number; bad: number } | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    Promise.all(apps.slice(0, HEALTH_SAMPLE).map((a) => get<App>(`/api/v1/projects/${enc(project)}/apps/${enc(a.name)}`, ctl.signal)))
      .then((full) => {
        const h = { ok: 0, busy: 0, bad: 0 };
        for (const a of full) {
          const states = Object.values(a.status ?? {});
          if (states.some((s) => s.status === 'failed')) h.bad++;
          else if (states.some((s) => s.status !== 'succeeded' || (!s.offline && s.ready < s.replicas))) h.busy++;
          else h.ok++;
        }
        setHealth(h);
      })
      .catch(() => {});
    return () => ctl.abort();
  }, [project, apps, tick]);
  if (!health) return <td>…</td>;
  return (
    <td aria-label={t('projects.healthLabel', { ok: health.ok, busy: health.busy, bad: health.bad })}>
      <span className="ok">✓ {health.ok}</span> · <span className="muted">⟳ {health.busy}</span> ·{' '}
      <span className={health.bad ? 'warn' : 'muted'}>✗ {health.bad}</span>
    </td>
  );
}

function Counts({ project }: { project: string }) {
  const tick = useTick('all');
  const apps = useGet<Page<App>>(`/api/v1/projects/${enc(project)}/apps?limit=1000`, tick);
  const envs = useGet<Page<Environment>>(`/api/v1/projects/${enc(project)}/environments?limit=1000`, tick);
  return (
    <>
      <td>{envs.data?.items.length ?? '…'}</td>
      <td>{apps.data?.items.length ?? '…'}</td>
      {apps.data ? <Health project={project} apps={apps.data.items} tick={tick} /> : <td>…</td>}
    </>
  );
}

export function CreateProject({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [description, setDescription] = useState('');
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post('/api/v1/projects', { name, displayName, description });
      onClose();
      navigate(paths.project(name));
    });
  };
  return (
    <Dialog title={t('projects.create')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'name', 'displayName', 'description')} />
        <Field label={t('common.name')} error={fieldError(error, 'name')} hint={t('common.dnsHint')}>
          {(p) => <input {...p} name="name" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('projects.displayName')} error={fieldError(error, 'displayName')}>
          {(p) => <input {...p} name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        <Field label={t('common.description')} error={fieldError(error, 'description')}>
          {(p) => <textarea {...p} name="description" value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <DialogActions label={t('common.create')} busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export function ProjectsPage() {
  const { t, fmtTime } = useI18n();
  const { me } = useSession();
  const tick = useTick('project');
  const { data, error } = useGet<Page<Project>>('/api/v1/projects?limit=1000', tick);
  const [creating, setCreating] = useState(false);
  const canCreate = me?.permissions.includes('project.create');
  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>{t('projects.title')}</h1>
        {canCreate && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('projects.create')}
          </button>
        )}
      </div>
      <ErrorBanner message={error?.message} />
      {data && data.items.length === 0 && <Empty>{canCreate ? t('projects.emptyCreate') : t('projects.empty')}</Empty>}
      {data && data.items.length > 0 && (
        <table className="list">
          <caption className="sr-only">{t('projects.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('common.name')}</th>
              <th scope="col">{t('common.description')}</th>
              <th scope="col">{t('projects.environments')}</th>
              <th scope="col">{t('projects.apps')}</th>
              <th scope="col">{t('projects.health')}</th>
              <th scope="col">{t('common.created')}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((p) => (
              <tr key={p.name}>
                <td>
                  <Link to={paths.project(p.name)}>{p.displayName || p.name}</Link>
                  {p.displayName && p.displayName !== p.name && <span className="muted"> {p.name}</span>}
                </td>
                <td>{p.description}</td>
                <Counts project={p.name} />
                <td>{fmtTime(p.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && <CreateProject onClose={() => setCreating(false)} />}
    </main>
  );
}

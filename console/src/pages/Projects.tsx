// Projects the caller can see, each with how its apps are doing and what they take (GET .../summary, live
// from the watch stream), a breakdown by environment on demand, and (for those allowed) a form to create
// one.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useAction, useGet } from '../hooks';
import { enc, post } from '../api/client';
import type { HealthCounts, Page, Project, ProjectSummary, Usage } from '../api/types';
import { Link, navigate, paths } from '../router';
import { Dialog, DialogActions, Empty, ErrorBanner, Field, fieldError, formError } from '../components/ui';
import { useTick } from '../watch';
import { fmtBytes, fmtCpu } from '../format';

function Health({ h }: { h: HealthCounts }) {
  const { t } = useI18n();
  const label = t('projects.healthLabel', { ok: h.healthy, busy: h.progressing, bad: h.failed, off: h.offline, none: h.notDeployed });
  return (
    <span className="health" aria-label={label} title={label} data-testid="health">
      <span className="ok">✓ {h.healthy}</span> · <span className={h.progressing ? 'warn' : 'muted'}>⟳ {h.progressing}</span> ·{' '}
      <span className={h.failed ? 'bad' : 'muted'}>✗ {h.failed}</span>
      {h.offline > 0 && <span className="muted"> · ⏸ {h.offline}</span>}
    </span>
  );
}

function UsageCells({ u }: { u: Usage }) {
  const { t } = useI18n();
  const unlimited = t('projects.unlimited', { n: u.unlimitedInstances });
  return (
    <>
      <td aria-label={t('projects.instancesLabel', u.instances)} data-testid="instances">
        <span className={u.instances.ready < u.instances.desired ? 'warn' : undefined}>
          {u.instances.ready}/{u.instances.desired}
        </span>
      </td>
      <td data-testid="cpu">
        {fmtCpu(u.cpuRequestMillis)} / {fmtCpu(u.cpuLimitMillis)}
        {u.unlimitedInstances > 0 && (
          <span className="warn small" title={unlimited}>
            {' '}
            +∞<span className="sr-only">{unlimited}</span>
          </span>
        )}
      </td>
      <td data-testid="memory">
        {fmtBytes(u.memoryRequestBytes)} / {fmtBytes(u.memoryLimitBytes)}
      </td>
    </>
  );
}

const COLUMNS = 8;

function ProjectRow({ p }: { p: Project }) {
  const { t, fmtTime } = useI18n();
  const tick = useTick('all');
  const { data: s } = useGet<ProjectSummary>(`/api/v1/projects/${enc(p.name)}/summary`, tick);
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr data-testid={`project-${p.name}`}>
        <td>
          <Link to={paths.project(p.name)}>{p.displayName || p.name}</Link>
          {p.displayName && p.displayName !== p.name && <span className="muted"> {p.name}</span>}
          {p.description && <div className="muted small">{p.description}</div>}
        </td>
        <td>
          {s ? (
            <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}
              aria-label={t('projects.showEnvironments', { project: p.name })}>
              {open ? '▾' : '▸'} {s.environments.length}
            </button>
          ) : (
            '…'
          )}
        </td>
        <td>{s?.apps ?? '…'}</td>
        <td>{s ? <Health h={s.health} /> : '…'}</td>
        {s ? <UsageCells u={s.usage} /> : <td colSpan={3}>…</td>}
        <td>{fmtTime(p.createdAt)}</td>
      </tr>
      {open && s && (
        <tr className="subrows">
          <td colSpan={COLUMNS}>
            <table className="list inner">
              <caption className="sr-only">{t('projects.byEnvironment')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('projects.environments')}</th>
                  <th scope="col">{t('projects.health')}</th>
                  <th scope="col">{t('projects.instances')}</th>
                  <th scope="col">{t('projects.cpu')}</th>
                  <th scope="col">{t('projects.memory')}</th>
                </tr>
              </thead>
              <tbody>
                {s.environments.map((e) => (
                  <tr key={e.name} data-testid={`env-${e.name}`}>
                    <th scope="row">{e.name}</th>
                    <td>
                      <Health h={e.apps} />
                    </td>
                    <UsageCells u={e.usage} />
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      )}
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
  const { t } = useI18n();
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
              <th scope="col">{t('projects.environments')}</th>
              <th scope="col">{t('projects.apps')}</th>
              <th scope="col">{t('projects.health')}</th>
              <th scope="col">{t('projects.instances')}</th>
              <th scope="col">{t('projects.cpu')}</th>
              <th scope="col">{t('projects.memory')}</th>
              <th scope="col">{t('common.created')}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((p) => (
              <ProjectRow key={p.name} p={p} />
            ))}
          </tbody>
        </table>
      )}
      {data && data.items.length > 0 && <p className="muted small">{t('projects.noQuota')}</p>}
      {creating && <CreateProject onClose={() => setCreating(false)} />}
    </main>
  );
}

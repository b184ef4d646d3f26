// A project at a glance: apps × environments, each cell the app's state there (status, version,
// ready/desired), live from the watch stream. Rows are virtualised and load their app's status as they
// come into view, so a project with 1,000 apps opens as fast as one with ten.
import { useMemo, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { usePermissions } from '../session';
import { useAction, useGet } from '../hooks';
import { enc, post } from '../api/client';
import type { App, Cluster, Environment, Page, Project } from '../api/types';
import { Link, paths } from '../router';
import { Dialog, DialogActions, Empty, ErrorBanner, Field, StatusBadge, fieldError, formError, tagOf } from '../components/ui';
import { VirtualList } from '../components/VirtualList';
import { useTick } from '../watch';

function AppRow({ project, name, envs }: { project: string; name: string; envs: Environment[] }) {
  const { t } = useI18n();
  const tick = useTick(`app:${name}`);
  const { data } = useGet<App>(`/api/v1/projects/${enc(project)}/apps/${enc(name)}`, tick);
  return (
    <>
      <div role="rowheader" className="cell app-name">
        {name}
      </div>
      {envs.map((e) => {
        const s = data?.status?.[e.name];
        const desired = s ? s.clusters.reduce((n, c) => n + c.desired, 0) || s.replicas : 0;
        return (
          <div role="cell" className="cell" key={e.name}>
            <Link to={paths.app(project, name, e.name)} className="cell-link" data-testid={`cell-${name}-${e.name}`}
              aria-label={`${name} ${e.name}: ${s ? `${s.offline ? 'offline' : s.status} ${tagOf(s.image)} ${s.ready}/${desired}` : t('grid.notDeployed')}`}>
              {s ? (
                <>
                  <StatusBadge status={s.offline ? 'offline' : s.status} /> <code>{tagOf(s.image)}</code>{' '}
                  <span className={s.ready >= desired ? 'ok' : 'warn'}>
                    {s.ready}/{desired}
                  </span>
                </>
              ) : (
                <span className="muted">{t('grid.notDeployed')}</span>
              )}
            </Link>
          </div>
        );
      })}
    </>
  );
}

function CreateEnvironment({ project, onClose }: { project: string; onClose: () => void }) {
  const { t } = useI18n();
  const clusters = useGet<Page<Cluster>>('/api/v1/clusters');
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>(['local']);
  const [production, setProduction] = useState(false);
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post(`/api/v1/projects/${enc(project)}/environments`, { name, clusters: chosen, policy: { production } });
      onClose();
    });
  };
  return (
    <Dialog title={t('env.create')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'name', 'clusters', 'policy')} />
        <Field label={t('common.name')} error={fieldError(error, 'name')} hint={t('env.nameHint')}>
          {(p) => <input {...p} name="env-name" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <fieldset className={fieldError(error, 'clusters') ? 'has-error' : ''}>
          <legend>{t('env.clusters')}</legend>
          {(clusters.data?.items ?? [{ name: 'local', type: 'local', createdAt: '' }]).map((c) => (
            <label key={c.name} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(c.name)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, c.name] : chosen.filter((x) => x !== c.name))}
              />
              {c.name} <span className="muted">({c.type})</span>
            </label>
          ))}
          {fieldError(error, 'clusters') && <div className="field-error">{fieldError(error, 'clusters')}</div>}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={production} onChange={(e) => setProduction(e.target.checked)} />
          {t('env.production')}
        </label>
        <DialogActions label={t('common.create')} busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function CreateApp({ project, onClose }: { project: string; onClose: () => void }) {
  const { t } = useI18n();
  const [f, setF] = useState({
    name: '', image: '', port: '8080', replicas: '1', cpu: '200m', memory: '128Mi', qos: 'standard', command: '', readiness: '/',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const spec: Record<string, unknown> = {
      name: f.name,
      image: f.image,
      replicas: Number(f.replicas),
      resources: { cpu: f.cpu, memory: f.memory },
      qos: f.qos,
    };
    if (f.port) spec.ports = [{ name: 'http', port: Number(f.port) }];
    if (f.command.trim()) spec.command = f.command.trim().split(/\s+/);
    if (f.port && f.readiness) spec.healthCheck = { readiness: { http: { path: f.readiness, port: 'http' }, periodSeconds: 2 } };
    void run(async () => {
      await post(`/api/v1/projects/${enc(project)}/apps`, spec);
      onClose();
    });
  };
  const fe = (k: string) => fieldError(error, k);
  return (
    <Dialog title={t('app.create')} onClose={onClose} wide>
      <form onSubmit={submit} noValidate className="grid2">
        <ErrorBanner message={formError(error, 'name', 'image', 'ports', 'replicas', 'resources', 'qos', 'command', 'healthCheck')} />
        <Field label={t('common.name')} error={fe('name')} hint={t('common.dnsHint')}>
          {(p) => <input {...p} name="app-name" value={f.name} onChange={set('name')} />}
        </Field>
        <Field label={t('app.image')} error={fe('image')} hint={t('app.imageHint')}>
          {(p) => <input {...p} name="image" value={f.image} onChange={set('image')} />}
        </Field>
        <Field label={t('app.command')} error={fe('command')} hint={t('app.commandHint')}>
          {(p) => <input {...p} name="command" value={f.command} onChange={set('command')} />}
        </Field>
        <Field label={t('app.port')} error={fe('ports')}>
          {(p) => <input {...p} name="port" type="number" min={1} max={65535} value={f.port} onChange={set('port')} />}
        </Field>
        <Field label={t('app.readiness')} error={fe('healthCheck')} hint={t('app.readinessHint')}>
          {(p) => <input {...p} name="readiness" value={f.readiness} onChange={set('readiness')} />}
        </Field>
        <Field label={t('app.replicas')} error={fe('replicas')}>
          {(p) => <input {...p} name="replicas" type="number" min={0} value={f.replicas} onChange={set('replicas')} />}
        </Field>
        <Field label={t('app.cpu')} error={fe('cpu')} hint="500m, 1, 2">
          {(p) => <input {...p} name="cpu" value={f.cpu} onChange={set('cpu')} />}
        </Field>
        <Field label={t('app.memory')} error={fe('memory')} hint="128Mi, 1Gi">
          {(p) => <input {...p} name="memory" value={f.memory} onChange={set('memory')} />}
        </Field>
        <Field label={t('app.qos')} error={fe('qos')} hint={t('app.qosHint')}>
          {(p) => (
            <select {...p} name="qos" value={f.qos} onChange={set('qos')}>
              {['critical', 'standard', 'elastic', 'batch'].map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="actions span2">
          <button type="submit" className="primary" disabled={busy}>
            {t('common.create')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function ProjectPage({ project }: { project: string }) {
  const { t } = useI18n();
  const perms = usePermissions(project);
  const envTick = useTick('environment');
  const appTick = useTick('app');
  const proj = useGet<Project>(`/api/v1/projects/${enc(project)}`);
  const envs = useGet<Page<Environment>>(`/api/v1/projects/${enc(project)}/environments?limit=1000`, envTick);
  const apps = useGet<Page<App>>(`/api/v1/projects/${enc(project)}/apps?limit=1000`, appTick);
  const [dialog, setDialog] = useState<'env' | 'app' | null>(null);
  const [filter, setFilter] = useState('');
  const envList = envs.data?.items ?? [];
  const names = useMemo(
    () => (apps.data?.items ?? []).map((a) => a.name).filter((n) => n.includes(filter.trim().toLowerCase())),
    [apps.data, filter],
  );
  const cols = `minmax(10rem, 1.2fr) repeat(${Math.max(1, envList.length)}, minmax(12rem, 1fr))`;
  return (
    <main id="main" className="page">
      <nav aria-label={t('nav.breadcrumb')} className="crumbs">
        <Link to="/">{t('nav.projects')}</Link> / <span>{project}</span>
      </nav>
      <div className="page-head">
        <h1>{proj.data?.displayName || project}</h1>
        <div className="actions">
          {perms.has('member.read') && <Link to={paths.members(project)} className="button">{t('members.title')}</Link>}
          {perms.has('audit.read') && <Link to={paths.audit(project)} className="button">{t('audit.title')}</Link>}
          {perms.has('environment.create') && (
            <button type="button" onClick={() => setDialog('env')}>
              {t('env.create')}
            </button>
          )}
          {perms.has('app.create') && (
            <button type="button" className="primary" onClick={() => setDialog('app')}>
              {t('app.create')}
            </button>
          )}
        </div>
      </div>
      {proj.data?.description && <p className="muted">{proj.data.description}</p>}
      <ErrorBanner message={proj.error?.message ?? envs.error?.message ?? apps.error?.message} />
      {envs.data && envList.length === 0 && <Empty>{t('env.none')}</Empty>}
      {apps.data && apps.data.items.length === 0 && <Empty>{t('app.none')}</Empty>}
      {apps.data && apps.data.items.length > 0 && (
        <>
          <div className="toolbar">
            <Field label={t('grid.filter')}>
              {(p) => <input {...p} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />}
            </Field>
            <span className="muted">{t('grid.count', { n: names.length })}</span>
          </div>
          <div className="grid-table" style={{ ['--cols' as string]: cols }}>
            <div role="row" className="grid-head">
              <div role="columnheader" className="cell">{t('grid.app')}</div>
              {envList.map((e) => (
                <div role="columnheader" className="cell" key={e.name}>
                  {e.name} {e.policy?.production && <span className="badge s-prod">{t('env.prod')}</span>}
                  <span className="muted small"> {e.clusters.join(', ')}</span>
                </div>
              ))}
            </div>
            <VirtualList
              items={names}
              rowHeight={44}
              height={Math.min(600, names.length * 44 + 4)}
              label={t('grid.label')}
              role="table"
              rowRole="row"
              render={(name) => <AppRow project={project} name={name} envs={envList} />}
            />
          </div>
        </>
      )}
      {dialog === 'env' && <CreateEnvironment project={project} onClose={() => setDialog(null)} />}
      {dialog === 'app' && (
        <CreateApp project={project} onClose={() => setDialog(null)} />
      )}
    </main>
  );
}

// One app in one environment: its state, the actions the caller may take, and tabs for instances,
// releases, logs and config. Everything on it follows the watch stream.
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { usePermissions } from '../session';
import { useGet } from '../hooks';
import { appEnvPath, enc } from '../api/client';
import type { App, Environment, Page, Release } from '../api/types';
import { Link, navigate, paths } from '../router';
import { ErrorBanner, StatusBadge, Tabs, tagOf } from '../components/ui';
import { useTick } from '../watch';
import { DeployDialog, OfflineDialog, RollbackDialog, ScaleDialog } from './app/Actions';
import { InstancesTab } from './app/Instances';
import { ReleasesTab } from './app/Releases';
import { LogsTab } from './app/Logs';
import { ConfigTab } from './app/Config';

const TABS: { id: string; key: MessageKey; perm: string }[] = [
  { id: 'instances', key: 'tab.instances', perm: 'instance.read' },
  { id: 'releases', key: 'tab.releases', perm: 'release.read' },
  { id: 'logs', key: 'tab.logs', perm: 'instance.logs' },
  { id: 'config', key: 'tab.config', perm: 'config.read' },
];

export function AppPage({ project, app, env, tab }: { project: string; app: string; env: string; tab: string }) {
  const { t } = useI18n();
  const perms = usePermissions(project, env);
  const tick = useTick(`app:${app}`);
  const envTick = useTick('environment');
  const appRes = useGet<App>(`/api/v1/projects/${enc(project)}/apps/${enc(app)}`, tick);
  const envs = useGet<Page<Environment>>(`/api/v1/projects/${enc(project)}/environments?limit=1000`, envTick);
  const releases = useGet<Page<Release>>(`${appEnvPath(project, app, env)}/releases?limit=1000`, tick);
  const [dialog, setDialog] = useState<'deploy' | 'rollback' | 'scale' | 'offline' | null>(null);
  const status = appRes.data?.status?.[env];
  const desired = status ? status.clusters.reduce((n, c) => n + c.desired, 0) || status.replicas : 0;
  const history = releases.data?.items ?? [];
  const current = history[0];
  const tabs = TABS.filter((x) => perms.size === 0 || perms.has(x.perm));
  const close = () => setDialog(null);
  return (
    <main id="main" className="page">
      <nav aria-label={t('nav.breadcrumb')} className="crumbs">
        <Link to="/">{t('nav.projects')}</Link> / <Link to={paths.project(project)}>{project}</Link> / <span>{app}</span>
      </nav>
      <div className="page-head">
        <h1>
          {app} <span className="muted">· {env}</span>
        </h1>
        <div className="actions" role="group" aria-label={t('app.actions')}>
          {perms.has('app.deploy') && (
            <button type="button" className="primary" onClick={() => setDialog('deploy')} data-testid="deploy">
              {current ? t('action.upgrade') : t('action.deploy')}
            </button>
          )}
          {perms.has('app.rollback') && history.length > 1 && (
            <button type="button" onClick={() => setDialog('rollback')} data-testid="rollback">
              {t('action.rollback')}
            </button>
          )}
          {perms.has('app.scale') && current && (
            <button type="button" onClick={() => setDialog('scale')} data-testid="scale">
              {t('action.scale')}
            </button>
          )}
          {perms.has('app.offline') && current && !status?.offline && (
            <button type="button" className="danger" onClick={() => setDialog('offline')} data-testid="offline">
              {t('action.offline')}
            </button>
          )}
        </div>
      </div>
      <nav className="envs" aria-label={t('app.environments')}>
        {(envs.data?.items ?? []).map((e) => (
          <Link key={e.name} to={paths.app(project, app, e.name, tab)} aria-current={e.name === env ? 'page' : undefined}>
            {e.name}
          </Link>
        ))}
      </nav>
      <ErrorBanner message={appRes.error?.message} />
      <section className="summary" aria-label={t('app.summary')} data-testid="summary">
        {status ? (
          <dl>
            <div>
              <dt>{t('app.state')}</dt>
              <dd>
                <StatusBadge status={status.offline ? 'offline' : status.status} />
              </dd>
            </div>
            <div>
              <dt>{t('app.version')}</dt>
              <dd>
                <code data-testid="current-image">{tagOf(status.image)}</code> <span className="muted">r{status.revision}</span>
              </dd>
            </div>
            <div>
              <dt>{t('app.ready')}</dt>
              <dd data-testid="ready">
                {status.ready}/{desired}
              </dd>
            </div>
            <div>
              <dt>{t('app.image')}</dt>
              <dd className="mono small">{status.image}</dd>
            </div>
            {status.reason && (
              <div className="wide">
                <dt>{t('app.reason')}</dt>
                <dd>{status.reason}</dd>
              </div>
            )}
          </dl>
        ) : (
          <p className="muted">{t('app.notDeployedHere')}</p>
        )}
      </section>
      <Tabs
        label={t('app.sections')}
        tabs={tabs.map((x) => ({ id: x.id, label: t(x.key) }))}
        current={tab}
        onSelect={(id) => navigate(paths.app(project, app, env, id))}
      />
      <section role="tabpanel" aria-label={t((TABS.find((x) => x.id === tab) ?? TABS[0]).key)} className="tabpanel">
        {tab === 'instances' && <InstancesTab project={project} app={app} env={env} />}
        {tab === 'releases' && <ReleasesTab releases={history} />}
        {tab === 'logs' && <LogsTab project={project} app={app} env={env} />}
        {tab === 'config' && <ConfigTab project={project} app={app} env={env} envs={envs.data?.items ?? []} perms={perms} />}
      </section>
      {dialog === 'deploy' && appRes.data && (
        <DeployDialog project={project} app={appRes.data} env={env} current={current} onClose={close} />
      )}
      {dialog === 'rollback' && <RollbackDialog project={project} app={app} env={env} releases={history} onClose={close} />}
      {dialog === 'scale' && current && <ScaleDialog project={project} app={app} env={env} current={current} onClose={close} />}
      {dialog === 'offline' && <OfflineDialog project={project} app={app} env={env} onClose={close} />}
    </main>
  );
}

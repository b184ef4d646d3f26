// The audit log: of one project, or (platform auditors) of everything. Pages on with `continue`; the list
// is virtualised.
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { enc, get, ApiError } from '../api/client';
import type { AuditRecord, Page } from '../api/types';
import { Link, paths } from '../router';
import { ErrorBanner, Field } from '../components/ui';
import { VirtualList } from '../components/VirtualList';

export function AuditPage({ project }: { project?: string }) {
  const { t, fmtTime } = useI18n();
  const [user, setUser] = useState('');
  const [items, setItems] = useState<AuditRecord[]>([]);
  const [cont, setCont] = useState('');
  const [error, setError] = useState<string>();
  const base = project ? `/api/v1/projects/${enc(project)}/audit` : '/api/v1/audit';
  const load = async (from: string, reset: boolean) => {
    try {
      const q = new URLSearchParams({ limit: '200' });
      if (user.trim()) q.set('user', user.trim());
      if (from) q.set('continue', from);
      const page = await get<Page<AuditRecord>>(`${base}?${q}`);
      setItems((old) => (reset ? page.items : old.concat(page.items)));
      setCont(page.continue);
      setError(undefined);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  useEffect(() => {
    const id = window.setTimeout(() => void load('', true), 250);
    return () => window.clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base, user]);
  return (
    <main id="main" className="page">
      <nav aria-label={t('nav.breadcrumb')} className="crumbs">
        <Link to="/">{t('nav.projects')}</Link>
        {project && (
          <>
            {' / '}
            <Link to={paths.project(project)}>{project}</Link>
          </>
        )}{' '}
        / <span>{t('audit.title')}</span>
      </nav>
      <h1>{t('audit.title')}</h1>
      <div className="toolbar">
        <Field label={t('audit.user')}>{(p) => <input {...p} type="search" value={user} onChange={(e) => setUser(e.target.value)} />}</Field>
        <span className="muted">{t('grid.count', { n: items.length })}</span>
      </div>
      <ErrorBanner message={error} />
      <div className="audit-head" aria-hidden="true">
        <span>{t('releases.when')}</span>
        <span>{t('releases.who')}</span>
        <span>{t('audit.action')}</span>
        <span>{t('audit.target')}</span>
        <span>{t('audit.result')}</span>
      </div>
      <VirtualList
        items={items}
        rowHeight={32}
        height="32rem"
        label={t('audit.title')}
        className="audit"
        render={(a) => (
          <div className="audit-row">
            <span>{fmtTime(a.at)}</span>
            <span>{a.actor}</span>
            <span>{a.action}</span>
            <span className="mono small" title={`${a.method} ${a.target}`}>
              {a.method} {a.target}
            </span>
            <span className={a.result === 'ok' ? 'ok' : 'warn'} title={a.result}>
              {a.result}
            </span>
          </div>
        )}
      />
      {cont && (
        <button type="button" onClick={() => void load(cont, false)}>
          {t('audit.more')}
        </button>
      )}
    </main>
  );
}

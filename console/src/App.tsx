// The shell: header (navigation, language, user), and the page for the URL. Logged-out callers see the
// login page; an account whose password must be changed sees only the password form.
import { Link, match, navigate, paths, useLocation } from './router';
import { LANGS, useI18n, type Lang } from './i18n';
import { useSession } from './session';
import { WatchProvider, useWatch } from './watch';
import { LoginPage } from './pages/Login';
import { ChangePasswordPage } from './pages/ChangePassword';
import { ProjectsPage } from './pages/Projects';
import { ProjectPage } from './pages/Project';
import { AppPage } from './pages/AppPage';
import { MembersPage } from './pages/Members';
import { AuditPage } from './pages/Audit';
import { ClustersPage } from './pages/Clusters';
import { UsersPage } from './pages/Users';
import { RolesPage } from './pages/Roles';

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang">
      <span className="sr-only">{t('nav.language')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t('nav.language')} data-testid="lang">
        {LANGS.map((l) => (
          <option key={l.id} value={l.id}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function LiveDot() {
  const { connected } = useWatch();
  const { t } = useI18n();
  return (
    <span className={`live ${connected ? 'on' : 'off'}`} title={connected ? t('nav.live') : t('nav.offlineWatch')}>
      <span aria-hidden="true">●</span> <span className="sr-only">{connected ? t('nav.live') : t('nav.offlineWatch')}</span>
    </span>
  );
}

function Page({ path }: { path: string }) {
  const { t } = useI18n();
  let m: Record<string, string> | null;
  if (path === '/' || path === '/projects') return <ProjectsPage />;
  if ((m = match('/projects/:project', path))) return <ProjectPage project={m.project} />;
  if ((m = match('/projects/:project/members', path))) return <MembersPage project={m.project} />;
  if ((m = match('/projects/:project/audit', path))) return <AuditPage project={m.project} />;
  if ((m = match('/projects/:project/apps/:app/environments/:env/:tab', path)))
    return <AppPage project={m.project} app={m.app} env={m.env} tab={m.tab} />;
  if ((m = match('/projects/:project/apps/:app/environments/:env', path)))
    return <AppPage project={m.project} app={m.app} env={m.env} tab="instances" />;
  if (path === '/clusters') return <ClustersPage />;
  if (path === '/users') return <UsersPage />;
  if (path === '/roles') return <RolesPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/account') return <ChangePasswordPage />;
  return (
    <main id="main" className="page">
      <h1>{t('common.notFound')}</h1>
      <Link to="/">{t('nav.projects')}</Link>
    </main>
  );
}

export function App() {
  const { me, logout } = useSession();
  const { t } = useI18n();
  const { path } = useLocation();
  if (me === undefined)
    return (
      <div className="loading" role="status">
        {t('common.loading')}
      </div>
    );
  if (me === null)
    return (
      <>
        <div className="topbar-lang">
          <LanguageSwitch />
        </div>
        <LoginPage />
      </>
    );
  if (me.mustChangePassword)
    return (
      <>
        <div className="topbar-lang">
          <LanguageSwitch />
        </div>
        <ChangePasswordPage forced />
      </>
    );
  const pm = match('/projects/:project', path.split('/').slice(0, 3).join('/'));
  const project = pm?.project ?? null;
  const perms = new Set(me.permissions);
  return (
    <WatchProvider project={project}>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Wharf
        </Link>
        <nav aria-label={t('nav.main')}>
          <Link to={paths.projects()} aria-current={path === '/' ? 'page' : undefined}>
            {t('nav.projects')}
          </Link>
          {perms.has('cluster.read') && (
            <Link to={paths.clusters()} aria-current={path === '/clusters' ? 'page' : undefined}>
              {t('nav.clusters')}
            </Link>
          )}
          {perms.has('user.manage') && (
            <Link to={paths.users()} aria-current={path === '/users' ? 'page' : undefined}>
              {t('users.nav')}
            </Link>
          )}
          {perms.has('role.manage') && (
            <Link to={paths.roles()} aria-current={path === '/roles' ? 'page' : undefined}>
              {t('roles.nav')}
            </Link>
          )}
          {perms.has('platform.audit') && (
            <Link to={paths.platformAudit()} aria-current={path === '/audit' ? 'page' : undefined}>
              {t('nav.audit')}
            </Link>
          )}
        </nav>
        <div className="spacer" />
        <LiveDot />
        <LanguageSwitch />
        <Link to={paths.account()} className="user" data-testid="user">
          {me.user}
        </Link>
        <button
          type="button"
          className="link"
          onClick={() => {
            void logout().then(() => navigate('/'));
          }}
        >
          {t('nav.logout')}
        </button>
      </header>
      <Page path={path} />
    </WatchProvider>
  );
}

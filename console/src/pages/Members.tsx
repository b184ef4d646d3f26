// Who has which role in the project (users and directory groups, optionally only in some environments),
// and what each role allows.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { usePermissions } from '../session';
import { useAction, useGet } from '../hooks';
import { del, enc, post } from '../api/client';
import type { Binding, Environment, Page, Role } from '../api/types';
import { Link, paths } from '../router';
import { Empty, ErrorBanner, Field, fieldError, formError } from '../components/ui';

export function MembersPage({ project }: { project: string }) {
  const { t } = useI18n();
  const perms = usePermissions(project);
  const members = useGet<{ items: Binding[] }>(`/api/v1/projects/${enc(project)}/members`);
  const roles = useGet<{ items: Role[] }>('/api/v1/roles');
  const envs = useGet<Page<Environment>>(`/api/v1/projects/${enc(project)}/environments?limit=1000`);
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const [subject, setSubject] = useState('');
  const [role, setRole] = useState('viewer');
  const [onlyEnvs, setOnlyEnvs] = useState<string[]>([]);
  const add = useAction();
  const remove = useAction();
  const canManage = perms.has('member.manage');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void add.run(async () => {
      await post(`/api/v1/projects/${enc(project)}/members`, { kind, subject, role, environments: onlyEnvs });
      setSubject('');
      members.reload();
    });
  };
  return (
    <main id="main" className="page">
      <nav aria-label={t('nav.breadcrumb')} className="crumbs">
        <Link to="/">{t('nav.projects')}</Link> / <Link to={paths.project(project)}>{project}</Link> / <span>{t('members.title')}</span>
      </nav>
      <h1>{t('members.title')}</h1>
      <ErrorBanner message={members.error?.message ?? remove.error?.message} />
      {members.data && members.data.items.length === 0 && <Empty>{t('members.none')}</Empty>}
      {members.data && members.data.items.length > 0 && (
        <table className="list">
          <caption className="sr-only">{t('members.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('members.subject')}</th>
              <th scope="col">{t('members.kind')}</th>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('members.environments')}</th>
              {canManage && <th scope="col"><span className="sr-only">{t('common.remove')}</span></th>}
            </tr>
          </thead>
          <tbody>
            {members.data.items.map((b) => (
              <tr key={b.id}>
                <td>{b.subject}</td>
                <td>{b.kind === 'group' ? t('members.group') : t('members.user')}</td>
                <td>{b.role}</td>
                <td>{b.environments.length ? b.environments.join(', ') : t('members.allEnvs')}</td>
                {canManage && (
                  <td>
                    <button type="button" className="link" onClick={() => void remove.run(async () => { await del(`/api/v1/projects/${enc(project)}/members/${b.id}`); members.reload(); })}>
                      {t('common.remove')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage && (
        <form onSubmit={submit} className="card inline-form" noValidate aria-labelledby="add-member">
          <h2 id="add-member">{t('members.add')}</h2>
          <ErrorBanner message={formError(add.error, 'kind', 'subject', 'role', 'environments')} />
          <div className="grid2">
            <Field label={t('members.kind')} error={fieldError(add.error, 'kind')}>
              {(p) => (
                <select {...p} value={kind} onChange={(e) => setKind(e.target.value as 'user' | 'group')}>
                  <option value="user">{t('members.user')}</option>
                  <option value="group">{t('members.group')}</option>
                </select>
              )}
            </Field>
            <Field label={t('members.subject')} error={fieldError(add.error, 'subject')}>
              {(p) => <input {...p} name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} />}
            </Field>
            <Field label={t('members.role')} error={fieldError(add.error, 'role')}>
              {(p) => (
                <select {...p} name="role" value={role} onChange={(e) => setRole(e.target.value)}>
                  {(roles.data?.items ?? []).map((r) => (
                    <option key={r.name} value={r.name}>
                      {r.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <fieldset>
              <legend>{t('members.onlyIn')}</legend>
              {(envs.data?.items ?? []).map((e) => (
                <label key={e.name} className="check">
                  <input type="checkbox" checked={onlyEnvs.includes(e.name)} onChange={(ev) => setOnlyEnvs(ev.target.checked ? [...onlyEnvs, e.name] : onlyEnvs.filter((x) => x !== e.name))} />
                  {e.name}
                </label>
              ))}
            </fieldset>
          </div>
          <button type="submit" className="primary" disabled={add.busy}>
            {t('members.add')}
          </button>
        </form>
      )}
      <section aria-labelledby="roles-title">
        <h2 id="roles-title">{t('members.roles')}</h2>
        <table className="list">
          <caption className="sr-only">{t('members.roles')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('common.description')}</th>
              <th scope="col">{t('members.permissions')}</th>
            </tr>
          </thead>
          <tbody>
            {(roles.data?.items ?? []).map((r) => (
              <tr key={r.name}>
                <td>
                  {r.name} {r.builtin ? '' : <span className="badge">{t('members.custom')}</span>}
                </td>
                <td>{r.description}</td>
                <td className="small">{r.permissions.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}

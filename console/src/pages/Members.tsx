// Who has which role in the project: bindings of a user or a directory (LDAP) group to a built-in or custom
// role, optionally only in some environments. A binding's role and environments can be changed (a new
// binding replaces it) and a binding removed; the roles and what each allows are listed below.
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { usePermissions, useSession } from '../session';
import { useAction, useGet } from '../hooks';
import { del, enc, post, put, type ApiError } from '../api/client';
import type { Binding, Environment, Page, Role } from '../api/types';
import { Link, paths } from '../router';
import { Dialog, DialogActions, Empty, ErrorBanner, Field } from '../components/ui';
import { PermissionChips, useRoleText, type Permission } from './Roles';

type Kind = 'user' | 'group';

// The API's error for `field`, also when it names an item of it ("environments[1]").
function errorOf(error: ApiError | undefined, field: string): string | undefined {
  if (!error?.field) return undefined;
  const f = error.field;
  return f === field || f.startsWith(field + '[') || f.startsWith(field + '.') ? error.message : undefined;
}

const FIELDS = ['kind', 'subject', 'role', 'environments'];
const generalError = (error: ApiError | undefined) => (error && !FIELDS.some((f) => errorOf(error, f)) ? error.message : undefined);

function RoleSelect({ roles, value, onChange, error }: {
  roles: Role[]; value: string; onChange: (v: string) => void; error?: string;
}) {
  const { t } = useI18n();
  const roleText = useRoleText();
  const chosen = roles.find((r) => r.name === value);
  const builtin = roles.filter((r) => r.builtin);
  const custom = roles.filter((r) => !r.builtin);
  return (
    <Field label={t('members.role')} error={error} hint={chosen ? roleText(chosen) : undefined}>
      {(p) => (
        <select {...p} name="role" value={value} onChange={(e) => onChange(e.target.value)}>
          <optgroup label={t('members.builtinRoles')}>
            {builtin.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </optgroup>
          {custom.length > 0 && (
            <optgroup label={t('members.customRoles')}>
              {custom.map((r) => (
                <option key={r.name} value={r.name}>
                  {r.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      )}
    </Field>
  );
}

function EnvironmentChoice({ envs, value, onChange, error }: {
  envs: Environment[]; value: string[]; onChange: (v: string[]) => void; error?: string;
}) {
  const { t } = useI18n();
  const errId = useId();
  return (
    <fieldset className={error ? 'has-error' : ''} aria-describedby={error ? errId : undefined}>
      <legend>{t('members.onlyIn')}</legend>
      {envs.length === 0 && <p className="hint">{t('members.noEnvs')}</p>}
      {envs.map((e) => (
        <label key={e.name} className="check">
          <input
            type="checkbox"
            name="environment"
            value={e.name}
            checked={value.includes(e.name)}
            onChange={(ev) => onChange(ev.target.checked ? [...value, e.name] : value.filter((x) => x !== e.name))}
          />
          {e.name}
        </label>
      ))}
      {error && (
        <div className="field-error" id={errId} role="alert">
          {error}
        </div>
      )}
    </fieldset>
  );
}

// Changes a binding's role or environments in one step (PUT .../members/{id}; the subject stays).
function EditBinding({ project, binding, roles, envs, onClose, onSaved }: {
  project: string; binding: Binding; roles: Role[]; envs: Environment[]; onClose: () => void; onSaved: () => void;
}) {
  const { t } = useI18n();
  const [role, setRole] = useState(binding.role);
  const [onlyEnvs, setOnlyEnvs] = useState<string[]>(binding.environments);
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await put(`/api/v1/projects/${enc(project)}/members/${binding.id}`, { role, environments: onlyEnvs });
      onSaved();
    });
  };
  return (
    <Dialog title={t('members.editTitle', { subject: binding.subject })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p className="muted">{t(binding.kind === 'group' ? 'members.groupIs' : 'members.userIs', { subject: binding.subject })}</p>
        <ErrorBanner message={generalError(error)} />
        <RoleSelect roles={roles} value={role} onChange={setRole} error={errorOf(error, 'role')} />
        <EnvironmentChoice envs={envs} value={onlyEnvs} onChange={setOnlyEnvs} error={errorOf(error, 'environments')} />
        <DialogActions label={t('members.save')} busy={busy} onCancel={onClose} testId="member-save" />
      </form>
    </Dialog>
  );
}

function RemoveBinding({ project, binding, onClose, onDone }: {
  project: string; binding: Binding; onClose: () => void; onDone: () => void;
}) {
  const { t } = useI18n();
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await del(`/api/v1/projects/${enc(project)}/members/${binding.id}`);
      onDone();
    });
  };
  return (
    <Dialog title={t('members.removeTitle', { subject: binding.subject, role: binding.role })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{t('members.removeText', { subject: binding.subject, role: binding.role, project })}</p>
        <ErrorBanner message={error?.message} />
        <DialogActions label={t('common.remove')} busy={busy} danger onCancel={onClose} testId="member-remove" />
      </form>
    </Dialog>
  );
}

type Open = { kind: 'edit' | 'remove'; binding: Binding } | null;

export function MembersPage({ project }: { project: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  const perms = usePermissions(project);
  const [n, setN] = useState(0);
  const members = useGet<{ items: Binding[] }>(`/api/v1/projects/${enc(project)}/members`, n);
  const roles = useGet<{ items: Role[] }>('/api/v1/roles');
  const permissions = useGet<{ items: Permission[] }>('/api/v1/permissions');
  const envs = useGet<Page<Environment>>(`/api/v1/projects/${enc(project)}/environments?limit=1000`);
  const canManage = perms.has('member.manage');
  // Suggestions for the name: users and the groups other projects already name (platform administrators).
  const platformUsers = !!me?.permissions.includes('user.manage') && canManage;
  const users = useGet<Page<{ name: string; displayName: string }>>(platformUsers ? '/api/v1/users?limit=1000' : null);
  const groups = useGet<{ items: { name: string }[] }>(platformUsers ? '/api/v1/groups' : null);
  const [kind, setKind] = useState<Kind>('user');
  const [subject, setSubject] = useState('');
  const [role, setRole] = useState('viewer');
  const [onlyEnvs, setOnlyEnvs] = useState<string[]>([]);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState('');
  const add = useAction();
  const allRoles = roles.data?.items ?? [];
  const allEnvs = envs.data?.items ?? [];
  const reload = () => setN((x) => x + 1);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setNotice('');
    void add.run(async () => {
      await post(`/api/v1/projects/${enc(project)}/members`, { kind, subject, role, environments: onlyEnvs });
      setNotice(t('members.added', { subject, role }));
      setSubject('');
      setOnlyEnvs([]);
      reload();
    });
  };
  const suggestions = kind === 'user' ? (users.data?.items ?? []).map((u) => u.name) : (groups.data?.items ?? []).map((g) => g.name);
  const roleOf = (name: string) => allRoles.find((r) => r.name === name);
  const roleText = useRoleText();
  return (
    <main id="main" className="page">
      <nav aria-label={t('nav.breadcrumb')} className="crumbs">
        <Link
          to="/">{t('nav.projects')}</Link>
          /
          <Link
          to={paths.project(project)}>{project}</Link>
          /
          <span>{t('members.title')}</span
        >
      </nav>
      <h1>{t('members.title')}</h1>
      {notice && (
        <div className="banner ok" role="status">
          {notice}
        </div>
      )}
      <ErrorBanner message={members.error?.message} />
      {members.data && members.data.items.length === 0 && <Empty>{t('members.none')}</Empty>}
      {members.data && members.data.items.length > 0 && (
        <table className="list" data-testid="members">
          <caption className="sr-only">{t('members.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('members.subject')}</th>
              <th scope="col">{t('members.kind')}</th>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('members.environments')}</th>
              {canManage && <th scope="col"><span className="sr-only">{t('members.actions')}</span></th>}
            </tr>
          </thead>
          <tbody>
            {members.data.items.map((b) => (
              <tr key={b.id} data-subject={b.subject} data-kind={b.kind}>
                <td className="app-name">{b.subject}</td>
                <td>
                  <span className={`badge kind-${b.kind}`}>{b.kind === 'group' ? t('members.kindGroup') : t('members.kindUser')}</span>
                </td>
                <td>
                  {b.role} {roleOf(b.role) && !roleOf(b.role)!.builtin && <span className="badge">{t('members.custom')}</span>}
                </td>
                <td>{b.environments.length ? b.environments.join(', ') : t('members.allEnvs')}</td>
                {canManage && (
                  <td className="row-actions">
                    <button
                      type="button"
                      className="link"
                      aria-label={t('members.editOf', { subject: b.subject, role: b.role })}
                      onClick={() => { setNotice(''); setOpen({ kind: 'edit', binding: b }); }}
                    >
                      {t('members.edit')}
                    </button>
                    <button
                      type="button"
                      className="link danger-link"
                      aria-label={t('members.removeOf', { subject: b.subject, role: b.role })}
                      onClick={() => { setNotice(''); setOpen({ kind: 'remove', binding: b }); }}
                    >
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
          <ErrorBanner message={generalError(add.error)} />
          <div className="grid2">
            <fieldset className={`kind-choice ${errorOf(add.error, 'kind') ? 'has-error' : ''}`}>
              <legend>{t('members.kind')}</legend>
              <label className="check">
                <input type="radio" name="kind" value="user" checked={kind === 'user'} onChange={() => setKind('user')} />
                {t('members.kindUser')}
              </label>
              <label className="check">
                <input type="radio" name="kind" value="group" checked={kind === 'group'} onChange={() => setKind('group')} />
                {t('members.kindGroup')}
              </label>
              {errorOf(add.error, 'kind') && (
                <div className="field-error" role="alert">
                  {errorOf(add.error, 'kind')}
                </div>
              )}
            </fieldset>
            <Field
              label={kind === 'group' ? t('members.groupName') : t('members.userName')}
              error={errorOf(add.error, 'subject')}
              hint={kind === 'group' ? t('members.groupHint') : t('members.userHint')}
            >
              {(p) => (
                <>
                  <input
                    {...p}
                    name="subject"
                    autoComplete="off"
                    list={suggestions.length ? 'member-suggestions' : undefined}
                    value={subject}
                    onChange={(e) => setSubject(e.target.value)}
                  />
                  <datalist id="member-suggestions">
                    {suggestions.map((s) => (
                      <option key={s} value={s} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
            <RoleSelect roles={allRoles} value={role} onChange={setRole} error={errorOf(add.error, 'role')} />
            <EnvironmentChoice envs={allEnvs} value={onlyEnvs} onChange={setOnlyEnvs} error={errorOf(add.error, 'environments')} />
          </div>
          <button type="submit" className="primary" disabled={add.busy} data-testid="member-add">
            {t('members.add')}
          </button>
        </form>
      )}
      <section aria-labelledby="roles-title">
        <h2 id="roles-title">{t('members.roles')}</h2>
        {me?.permissions.includes('role.manage') && (
          <p className="hint">
            <Link to={paths.roles()}>{t('members.manageRoles')}</Link>
          </p>
        )}
        <table className="list roles">
          <caption className="sr-only">{t('members.roles')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('common.description')}</th>
              <th scope="col">{t('members.permissions')}</th>
            </tr>
          </thead>
          <tbody>
            {allRoles.map((r) => (
              <tr key={r.name}>
                <th scope="row" className="role-name">
                  {r.name} {r.builtin ? '' : <span className="badge">{t('members.custom')}</span>}
                </th>
                <td>{roleText(r)}</td>
                <td>
                  <PermissionChips role={r} permissions={permissions.data?.items ?? []} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {open?.kind === 'edit' && (
        <EditBinding
          project={project}
          binding={open.binding}
          roles={allRoles}
          envs={allEnvs}
          onClose={() => setOpen(null)}
          onSaved={() => { setOpen(null); setNotice(t('members.changed', { subject: open.binding.subject })); reload(); }}
        />
      )}
      {open?.kind === 'remove' && (
        <RemoveBinding
          project={project}
          binding={open.binding}
          onClose={() => setOpen(null)}
          onDone={() => { setOpen(null); setNotice(t('members.removed', { subject: open.binding.subject })); reload(); }}
        />
      )}
    </main>
  );
}

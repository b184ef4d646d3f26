// Roles: the built-in ones (read-only, with what they allow) and custom roles built from permissions, grouped
// by scope: project-wide, or per environment (the environments a member's binding names). Platform rights
// are not in roles: they come with the administrator flag (Users page).
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { en } from '../i18n/en';
import { useSession } from '../session';
import { useAction, useGet } from '../hooks';
import { del, enc, post, put, type ApiError } from '../api/client';
import type { Role } from '../api/types';
import { Dialog, DialogActions, Empty, ErrorBanner, Field, fieldError } from '../components/ui';

export interface Permission {
  name: string;
  scope: string;
  description: string;
}

type StoredRole = Role & { resourceVersion?: number };

// The scopes a role can grant, in the order shown.
const SCOPES = ['project', 'environment'] as const;

function has(key: string): key is MessageKey {
  return key in en;
}

// A permission's description in the console's language (the server's English one otherwise).
function usePermissionText() {
  const { t } = useI18n();
  return (p: Permission) => (has(`roles.perm.${p.name}`) ? t(`roles.perm.${p.name}` as MessageKey) : p.description);
}

// A role's description in the console's language (built-in roles; a custom role's is its author's).
export function useRoleText() {
  const { t } = useI18n();
  return (r: Role) => (r.builtin && has(`roles.builtin.${r.name}`) ? t(`roles.builtin.${r.name}` as MessageKey) : r.description);
}

// The API names a bad permission "permissions[3]": its error belongs to the permission list.
function permissionsError(error: ApiError | undefined): string | undefined {
  return error?.field && error.field.startsWith('permissions') ? error.message : undefined;
}

function RoleDialog({ role, roles, permissions, onClose, onSaved }: {
  role: StoredRole | null; roles: StoredRole[]; permissions: Permission[]; onClose: () => void; onSaved: (name: string) => void;
}) {
  const { t } = useI18n();
  const text = usePermissionText();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [chosen, setChosen] = useState<Set<string>>(new Set(role?.permissions ?? []));
  const [from, setFrom] = useState('');
  const { error, busy, run, setError } = useAction();
  // A choice answers the API's complaint about the permission list: it goes until the next save.
  const choose = (fn: (old: Set<string>) => Set<string>) => {
    if (permissionsError(error)) setError(undefined);
    setChosen(fn);
  };
  const toggle = (p: string, on: boolean) =>
    choose((old) => {
      const next = new Set(old);
      if (on) next.add(p);
      else next.delete(p);
      return next;
    });
  const setScope = (scope: string, on: boolean) =>
    choose((old) => {
      const next = new Set(old);
      for (const p of permissions) {
        if (p.scope !== scope) continue;
        if (on) next.add(p.name);
        else next.delete(p.name);
      }
      return next;
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // In the order of the permission list, so that "permissions[i]" in an error is the i-th one shown.
    const list = permissions.filter((p) => chosen.has(p.name)).map((p) => p.name);
    void run(async () => {
      const resourceVersion = role?.resourceVersion ?? 0;
      if (role) await put(`/api/v1/roles/${enc(role.name)}`, { description, permissions: list, resourceVersion });
      else await post('/api/v1/roles', { name, description, permissions: list });
      onSaved(role?.name ?? name);
    });
  };
  const permError = permissionsError(error);
  const general = error && !fieldError(error, 'name', 'description') && !permError ? error.message : undefined;
  return (
    <Dialog title={role ? t('roles.editTitle', { role: role.name }) : t('roles.create')} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={general} />
        <div className="grid2">
          {!role && (
            <Field label={t('common.name')} error={fieldError(error, 'name')} hint={t('common.dnsHint')}>
              {(p) => <input {...p} name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
          )}
          {!role && (
            <Field label={t('roles.startFrom')} hint={t('roles.startFromHint')}>
              {(p) => (
                <select
                  {...p}
                  value={from}
                  onChange={(e) => {
                    setFrom(e.target.value);
                    const base = roles.find((r) => r.name === e.target.value);
                    if (base) choose(() => new Set(base.permissions));
                  }}
                >
                  <option value="">{t('roles.startEmpty')}</option>
                  {roles.map((r) => (
                    <option key={r.name} value={r.name}>
                      {r.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <div className="span2">
            <Field label={t('common.description')} error={fieldError(error, 'description')}>
              {(p) => <input {...p} name="description" value={description} onChange={(e) => setDescription(e.target.value)} />}
            </Field>
          </div>
        </div>
        <div className={`perm-groups ${permError ? 'has-error' : ''}`}>
          <p className="hint">{t('roles.platformHint')}</p>
          {permError && (
            <div className="field-error" role="alert" id="perm-error">
              {permError}
            </div>
          )}
          {SCOPES.map((scope) => {
            const list = permissions.filter((p) => p.scope === scope);
            const n = list.filter((p) => chosen.has(p.name)).length;
            return (
              <fieldset key={scope} className="perm-group" aria-describedby={permError ? 'perm-error' : undefined}>
                <legend>
                  {t(`roles.scope.${scope}`)} <span className="muted small">({t('roles.chosenOf', { n, total: list.length })})</span>
                </legend>
                <p className="hint">{t(`roles.scopeHint.${scope}`)}</p>
                <div className="perm-tools">
                  <button
                    type="button"
                    className="link"
                    aria-label={t('roles.allOf', { scope: t(`roles.scope.${scope}`) })}
                    onClick={() => setScope(scope, true)}
                  >
                    {t('roles.all')}
                  </button>
                  <button
                    type="button"
                    className="link"
                    aria-label={t('roles.noneOf', { scope: t(`roles.scope.${scope}`) })}
                    onClick={() => setScope(scope, false)}
                  >
                    {t('roles.none')}
                  </button>
                </div>
                <div className="perm-list">
                  {list.map((p) => (
                    <label key={p.name} className="perm">
                      <input
                        type="checkbox"
                        name="permission"
                        value={p.name}
                        checked={chosen.has(p.name)}
                        onChange={(e) => toggle(p.name, e.target.checked)}
                      />
                      <span>
                        <code>{p.name}</code>{' '}
                        <span className="perm-desc">{text(p)}</span>
                      </span>
                    </label>
                  ))}
                </div>
              </fieldset>
            );
          })}
        </div>
        <DialogActions label={role ? t('roles.save') : t('common.create')} busy={busy} onCancel={onClose} testId="role-save" />
      </form>
    </Dialog>
  );
}

function DeleteRole({ role, onClose, onDone }: { role: StoredRole; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await del(`/api/v1/roles/${enc(role.name)}?resourceVersion=${role.resourceVersion ?? 0}`);
      onDone();
    });
  };
  return (
    <Dialog title={t('roles.deleteTitle', { role: role.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{t('roles.deleteText', { role: role.name })}</p>
        <ErrorBanner message={error?.message} />
        <DialogActions
          label={t('roles.deleteConfirm', { role: role.name })}
          busy={busy}
          danger
          onCancel={onClose}
          testId="role-delete"
        />
      </form>
    </Dialog>
  );
}

// A role's permissions, by scope, as chips with their descriptions.
export function PermissionChips({ role, permissions }: { role: Role; permissions: Permission[] }) {
  const { t } = useI18n();
  const text = usePermissionText();
  const byName = new Map(permissions.map((p) => [p.name, p]));
  return (
    <div className="perm-chips">
      {SCOPES.map((scope) => {
        const list = role.permissions.filter((p) => (byName.get(p)?.scope ?? 'project') === scope);
        if (!list.length) return null;
        return (
          <div key={scope} className="chip-row">
            <span className="chip-scope">{t(`roles.scope.${scope}`)}</span>
            <ul aria-label={t('roles.permissionsIn', { scope: t(`roles.scope.${scope}`) })}>
              {list.map((p) => (
                <li key={p} className="chip" title={byName.get(p) ? text(byName.get(p)!) : undefined}>
                  {p}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}

type Open = { kind: 'create' } | { kind: 'edit' | 'delete'; role: StoredRole } | null;

export function RolesPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [n, setN] = useState(0);
  const roles = useGet<{ items: StoredRole[] }>('/api/v1/roles', n);
  const perms = useGet<{ items: Permission[] }>('/api/v1/permissions');
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState('');
  const canManage = !!me?.permissions.includes('role.manage');
  const all = roles.data?.items ?? [];
  const builtin = all.filter((r) => r.builtin);
  const custom = all.filter((r) => !r.builtin);
  const permissions = (perms.data?.items ?? []).filter((p) => (SCOPES as readonly string[]).includes(p.scope));
  const roleText = useRoleText();
  const done = (message: string) => {
    setOpen(null);
    setNotice(message);
    setN((x) => x + 1);
  };
  const table = (list: StoredRole[], caption: string, actions: boolean) => (
    <table className="list roles" data-testid={actions ? 'custom-roles' : 'builtin-roles'}>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('roles.role')}</th>
          <th scope="col">{t('common.description')}</th>
          <th scope="col">{t('roles.permissions')}</th>
          {actions && <th scope="col"><span className="sr-only">{t('roles.actions')}</span></th>}
        </tr>
      </thead>
      <tbody>
        {list.map((r) => (
          <tr key={r.name} data-role={r.name}>
            <th scope="row" className="role-name">
              {r.name}
            </th>
            <td>{roleText(r)}</td>
            <td>
              <PermissionChips role={r} permissions={permissions} />
            </td>
            {actions && (
              <td className="row-actions">
                <button
                  type="button"
                  className="link"
                  aria-label={t('roles.editOf', { role: r.name })}
                  onClick={() => { setNotice(''); setOpen({ kind: 'edit', role: r }); }}
                >
                  {t('roles.edit')}
                </button>
                <button
                  type="button"
                  className="link danger-link"
                  aria-label={t('roles.deleteOf', { role: r.name })}
                  onClick={() => { setNotice(''); setOpen({ kind: 'delete', role: r }); }}
                >
                  {t('roles.delete')}
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>{t('roles.title')}</h1>
        {canManage && (
          <button
            type="button"
            className="primary"
            disabled={!perms.data}
            onClick={() => { setNotice(''); setOpen({ kind: 'create' }); }}
          >
            {t('roles.create')}
          </button>
        )}
      </div>
      <p className="muted intro">{t('roles.intro')}</p>
      {notice && (
        <div className="banner ok" role="status">
          {notice}
        </div>
      )}
      <ErrorBanner message={roles.error?.message ?? perms.error?.message} />
      <section aria-labelledby="custom-title">
        <h2 id="custom-title">{t('roles.customTitle')}</h2>
        {roles.data && custom.length === 0 && <Empty>{canManage ? t('roles.noneManage') : t('roles.noneCustom')}</Empty>}
        {custom.length > 0 && table(custom, t('roles.customTitle'), canManage)}
      </section>
      <section aria-labelledby="builtin-title">
        <h2 id="builtin-title">{t('roles.builtinTitle')}</h2>
        <p className="hint">{t('roles.builtinHint')}</p>
        {builtin.length > 0 && table(builtin, t('roles.builtinTitle'), false)}
      </section>
      {open?.kind === 'create' && (
        <RoleDialog
          role={null}
          roles={all}
          permissions={permissions}
          onClose={() => setOpen(null)}
          onSaved={(name) => done(t('roles.created', { role: name }))}
        />
      )}
      {open?.kind === 'edit' && (
        <RoleDialog
          role={open.role}
          roles={all}
          permissions={permissions}
          onClose={() => setOpen(null)}
          onSaved={(name) => done(t('roles.saved', { role: name }))}
        />
      )}
      {open?.kind === 'delete' && (
        <DeleteRole role={open.role} onClose={() => setOpen(null)} onDone={() => done(t('roles.deleted', { role: open.role.name }))} />
      )}
    </main>
  );
}

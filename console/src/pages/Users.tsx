// Users (platform administrators): the accounts of the platform, a page at a time (the API's `continue`).
// Local users get an initial password here that they must change at their first login; company (LDAP)
// accounts appear after their first login. An administrator edits the display name and the administrator
// flag, sets a new password, revokes API tokens and deletes users.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useAction, useGet } from '../hooks';
import { del, enc, patch, post, put } from '../api/client';
import type { Page } from '../api/types';
import { CheckField, Dialog, DialogActions, Empty, ErrorBanner, Field, PasswordField, fieldError, formError } from '../components/ui';

// GET /api/v1/users: company (LDAP) accounts have their passwords in the directory, not in Wharf.
interface User {
  name: string;
  displayName: string;
  admin: boolean;
  createdAt: string;
  source: 'local' | 'ldap';
}

interface Token {
  id: string;
  name: string;
  user: string;
  createdAt: string;
  expiresAt: string;
}

const PAGE_SIZE = 50;
// The built-in administrator; it and the caller's own account keep the flag and cannot be deleted.
const BUILTIN_ADMIN = 'admin';

function CreateUser({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post('/api/v1/users', { name, displayName, password, admin });
      onCreated(name);
    });
  };
  return (
    <Dialog title={t('users.create')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'name', 'displayName', 'password', 'admin')} />
        <Field label={t('common.name')} error={fieldError(error, 'name')} hint={t('users.nameHint')}>
          {(p) => <input {...p} name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('users.displayName')} error={fieldError(error, 'displayName')}>
          {(p) => <input {...p} name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        <PasswordField label={t('users.initialPassword')} name="password" value={password} onChange={setPassword}
          error={fieldError(error, 'password')} hint={t('users.initialPasswordHint')} />
        <CheckField
          name="admin"
          label={t('users.admin')}
          checked={admin}
          onChange={setAdmin}
          error={fieldError(error, 'admin')}
          hint={t('users.adminHint')}
        />
        <DialogActions label={t('common.create')} busy={busy} onCancel={onClose} testId="user-create" />
      </form>
    </Dialog>
  );
}

function Tokens({ user }: { user: string }) {
  const { t, fmtTime } = useI18n();
  const tokens = useGet<{ items: Token[] }>(`/api/v1/users/${enc(user)}/tokens`);
  const revoke = useAction();
  const items = tokens.data?.items ?? [];
  return (
    <section aria-labelledby="user-tokens" className="user-tokens">
      <h3 id="user-tokens">{t('users.tokens')}</h3>
      <ErrorBanner message={tokens.error?.message ?? revoke.error?.message} />
      {tokens.data && items.length === 0 && <p className="muted small">{t('users.noTokens')}</p>}
      {items.length > 0 && (
        <table className="list compact">
          <caption className="sr-only">{t('users.tokens')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('common.name')}</th>
              <th scope="col">{t('common.created')}</th>
              <th scope="col">{t('users.expires')}</th>
              <th scope="col"><span className="sr-only">{t('users.revoke')}</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((tk) => (
              <tr key={tk.id}>
                <td>{tk.name}</td>
                <td>{fmtTime(tk.createdAt)}</td>
                <td>{tk.expiresAt ? fmtTime(tk.expiresAt) : t('users.never')}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    disabled={revoke.busy}
                    aria-label={t('users.revokeToken', { name: tk.name })}
                    onClick={() =>
                      void revoke.run(async () => {
                        await del(`/api/v1/users/${enc(user)}/tokens/${enc(tk.id)}`);
                        tokens.reload();
                      })
                    }
                  >
                    {t('users.revoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function EditUser({ user, me, onClose, onSaved }: { user: User; me: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [admin, setAdmin] = useState(user.admin);
  const { error, busy, run } = useAction();
  const keepsAdmin = user.admin && (user.name === BUILTIN_ADMIN || user.name === me);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, unknown> = {};
      if (displayName !== user.displayName) body.displayName = displayName;
      if (admin !== user.admin) body.admin = admin;
      if (Object.keys(body).length) await patch(`/api/v1/users/${enc(user.name)}`, body);
      onSaved();
    });
  };
  return (
    <Dialog title={t('users.editTitle', { user: user.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'displayName', 'admin')} />
        <Field label={t('users.displayName')} error={fieldError(error, 'displayName')}>
          {(p) => <input {...p} name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        <CheckField
          name="admin"
          label={t('users.admin')}
          checked={admin}
          onChange={setAdmin}
          disabled={keepsAdmin}
          error={fieldError(error, 'admin')}
          hint={keepsAdmin ? t('users.keepsAdmin') : t('users.adminHint')}
        />
        <DialogActions label={t('users.save')} busy={busy} onCancel={onClose} testId="user-save" />
      </form>
      <Tokens user={user.name} />
    </Dialog>
  );
}

function ResetPassword({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await put(`/api/v1/users/${enc(user.name)}/password`, { password });
      onDone();
    });
  };
  return (
    <Dialog title={t('users.resetTitle', { user: user.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{t('users.resetText', { user: user.name })}</p>
        <ErrorBanner message={formError(error, 'password')} />
        <PasswordField label={t('users.newPassword')} name="password" value={password} onChange={setPassword}
          error={fieldError(error, 'password')} hint={t('password.hint')} />
        <DialogActions label={t('users.resetSubmit')} busy={busy} onCancel={onClose} testId="user-reset" />
      </form>
    </Dialog>
  );
}

function DeleteUser({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await del(`/api/v1/users/${enc(user.name)}`);
      onDone();
    });
  };
  return (
    <Dialog title={t('users.deleteTitle', { user: user.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{t('users.deleteText', { user: user.name })}</p>
        <ErrorBanner message={error?.message} />
        <DialogActions
          label={t('users.deleteConfirm', { user: user.name })}
          busy={busy}
          danger
          onCancel={onClose}
          testId="user-delete"
        />
      </form>
    </Dialog>
  );
}

type Open = { kind: 'create' } | { kind: 'edit' | 'password' | 'delete'; user: User } | null;

export function UsersPage() {
  const { t, fmtTime } = useI18n();
  const { me } = useSession();
  // The continue tokens of the pages seen so far: the last one is the page shown ('' is the first).
  const [pages, setPages] = useState<string[]>(['']);
  const [n, setN] = useState(0);
  const current = pages[pages.length - 1];
  const users = useGet<Page<User>>(`/api/v1/users?limit=${PAGE_SIZE}${current ? `&continue=${enc(current)}` : ''}`, n);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState('');
  const items = users.data?.items ?? [];
  const close = () => setOpen(null);
  const done = (message: string) => {
    setOpen(null);
    setNotice(message);
    setN((x) => x + 1);
  };
  const sourceLabel = (s: User['source']) => (s === 'ldap' ? t('users.sourceLdap') : t('users.sourceLocal'));
  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>{t('users.title')}</h1>
        <button type="button" className="primary" onClick={() => { setNotice(''); setOpen({ kind: 'create' }); }}>
          {t('users.create')}
        </button>
      </div>
      <p className="muted intro">{t('users.intro')}</p>
      {notice && (
        <div className="banner ok" role="status">
          {notice}
        </div>
      )}
      <ErrorBanner message={users.error?.message} />
      {users.data && items.length === 0 && <Empty>{t('users.none')}</Empty>}
      {items.length > 0 && (
        <table className="list" data-testid="users">
          <caption className="sr-only">{t('users.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('common.name')}</th>
              <th scope="col">{t('users.displayName')}</th>
              <th scope="col">{t('users.source')}</th>
              <th scope="col">{t('users.role')}</th>
              <th scope="col">{t('common.created')}</th>
              <th scope="col"><span className="sr-only">{t('users.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => {
              const protectedUser = u.name === BUILTIN_ADMIN || u.name === me?.user;
              return (
                <tr key={u.name} data-user={u.name}>
                  <td>
                    <span className="app-name">{u.name}</span>
                    {u.name === me?.user && <span className="muted"> {t('users.you')}</span>}
                  </td>
                  <td>{u.displayName}</td>
                  <td>
                    <span className={`badge src-${u.source}`}>{sourceLabel(u.source)}</span>
                  </td>
                  <td>
                    {u.admin ? (
                      <span className="badge s-admin">{t('users.administrator')}</span>
                    ) : (
                      <span className="muted">{t('users.member')}</span>
                    )}
                  </td>
                  <td>{fmtTime(u.createdAt)}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="link"
                      aria-label={t('users.editOf', { user: u.name })}
                      onClick={() => { setNotice(''); setOpen({ kind: 'edit', user: u }); }}
                    >
                      {t('users.edit')}
                    </button>
                    {u.source !== 'ldap' && (
                      <button
                        type="button"
                        className="link"
                        aria-label={t('users.resetOf', { user: u.name })}
                        onClick={() => { setNotice(''); setOpen({ kind: 'password', user: u }); }}
                      >
                        {t('users.reset')}
                      </button>
                    )}
                    {!protectedUser && (
                      <button
                        type="button"
                        className="link danger-link"
                        aria-label={t('users.deleteOf', { user: u.name })}
                        onClick={() => { setNotice(''); setOpen({ kind: 'delete', user: u }); }}
                      >
                        {t('users.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {(pages.length > 1 || users.data?.continue) && (
        <nav className="pager" aria-label={t('users.pages')}>
          <button type="button" disabled={pages.length <= 1} onClick={() => setPages((p) => p.slice(0, -1))}>
            {t('users.previous')}
          </button>
          <span aria-live="polite">{t('users.pageN', { n: pages.length })}</span>
          <button
            type="button"
            disabled={!users.data?.continue}
            onClick={() => users.data?.continue && setPages((p) => [...p, users.data!.continue])}
          >
            {t('users.next')}
          </button>
        </nav>
      )}
      {open?.kind === 'create' && <CreateUser onClose={close} onCreated={(name) => done(t('users.created', { user: name }))} />}
      {open?.kind === 'edit' && (
        <EditUser
          user={open.user}
          me={me?.user ?? ''}
          onClose={close}
          onSaved={() => done(t('users.saved', { user: open.user.name }))}
        />
      )}
      {open?.kind === 'password' && (
        <ResetPassword user={open.user} onClose={close} onDone={() => done(t('users.resetDone', { user: open.user.name }))} />
      )}
      {open?.kind === 'delete' && (
        <DeleteUser user={open.user} onClose={close} onDone={() => done(t('users.deleted', { user: open.user.name }))} />
      )}
    </main>
  );
}

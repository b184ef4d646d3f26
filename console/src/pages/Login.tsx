// Login: one form for local and company (LDAP) accounts; the server knows which one a name belongs to.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useAction } from '../hooks';
import { ErrorBanner, Field, fieldError, formError } from '../components/ui';

export function LoginPage() {
  const { t } = useI18n();
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(() => login(username, password));
  };
  const general =
    error && (error.code === 'unauthorized' || error.status === 401) ? t('login.failed') : formError(error, 'username', 'password');
  return (
    <main id="main" className="login">
      <form onSubmit={submit} className="card login-card" aria-labelledby="login-title" noValidate>
        <h1 id="login-title">{t('login.title')}</h1>
        <p className="muted">{t('login.subtitle')}</p>
        <ErrorBanner message={general} />
        <Field label={t('login.username')} error={fieldError(error, 'username')}>
          {(p) => (
            <input {...p} name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
          )}
        </Field>
        <Field label={t('login.password')} error={fieldError(error, 'password')}>
          {(p) => (
            <input
              {...p}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
        <p className="hint">{t('login.ldapHint')}</p>
      </form>
    </main>
  );
}

// The forced password change of a first login (the initial admin, a password an administrator set), and the
// account page's own change.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useAction } from '../hooks';
import { post, ApiError } from '../api/client';
import { ErrorBanner, PasswordField, fieldError, formError } from '../components/ui';

export function ChangePasswordPage({ forced = false }: { forced?: boolean }) {
  const { t } = useI18n();
  const { me, refresh, logout } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const { error, busy, run, setError } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== confirm) {
      setError(new ApiError(400, 'invalid', t('password.mismatch'), 'confirm'));
      return;
    }
    void run(async () => {
      await post('/api/v1/me/password', { currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
      await refresh();
    });
  };
  return (
    <main id="main" className={forced ? 'login' : 'page'}>
      <form onSubmit={submit} className="card login-card" aria-labelledby="pw-title" noValidate>
        <h1 id="pw-title">{forced ? t('password.forcedTitle') : t('password.title')}</h1>
        {forced && <p className="muted">{t('password.forcedText', { user: me?.user ?? '' })}</p>}
        {done && !forced && (
          <div className="banner ok" role="status">
            {t('password.changed')}
          </div>
        )}
        <ErrorBanner message={formError(error, 'currentPassword', 'newPassword', 'confirm')} />
        <PasswordField label={t('password.current')} name="current" autoComplete="current-password" value={current}
          onChange={setCurrent} error={fieldError(error, 'currentPassword')} />
        <PasswordField label={t('password.new')} name="new" value={next} onChange={setNext}
          error={fieldError(error, 'newPassword')} hint={t('password.hint')} />
        <PasswordField label={t('password.confirm')} name="confirm" value={confirm} onChange={setConfirm}
          error={fieldError(error, 'confirm')} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('password.submit')}
          </button>
          {forced && (
            <button type="button" onClick={() => void logout()}>
              {t('nav.logout')}
            </button>
          )}
        </div>
      </form>
    </main>
  );
}

// Small building blocks: labelled fields that show the API's error for their own field, dialogs, badges,
// error banners and tabs. Every control has a label; focus is always visible (styles.css).
import { useEffect, useId, useRef, type ReactNode, type KeyboardEvent } from 'react';
import type { ApiError } from '../api/client';
import { useI18n, type MessageKey } from '../i18n';

// The error of `field` when the API named it (exactly, or an item under it: "spec.replicas").
export function fieldError(error: ApiError | undefined, ...fields: string[]): string | undefined {
  if (!error || !error.field) return undefined;
  return fields.some((f) => error.field === f || error.field.startsWith(f + '.') || error.field.endsWith('.' + f))
    ? error.message
    : undefined;
}

// The error when no field of the form shows it.
export function formError(error: ApiError | undefined, ...fields: string[]): string | undefined {
  if (!error) return undefined;
  return fieldError(error, ...fields) ? undefined : error.message;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}

// A field's hint, or the API's error for it in its place; `id` is the field's (aria-describedby).
function FieldNotes({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint && !error && (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-error" id={`${id}-err`} role="alert">
          {error}
        </div>
      )}
    </>
  );
}

const describedBy = (id: string, error?: string, hint?: string) => (error ? `${id}-err` : hint ? `${id}-hint` : undefined);

export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  return (
    <div className={`field ${error ? 'has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': describedBy(id, error, hint) })}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

// A password field; `autoComplete` tells password managers whether it is a new one.
export function PasswordField({ label, name, value, onChange, error, hint, autoComplete = 'new-password' }: {
  label: string; name: string; value: string; onChange: (v: string) => void; error?: string; hint?: string;
  autoComplete?: 'new-password' | 'current-password';
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => <input {...p} type="password" name={name} autoComplete={autoComplete} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

// A checkbox with its label on the same line, a hint, and the API's error for it.
export function CheckField({ label, checked, onChange, error, hint, disabled, name }: {
  label: string; checked: boolean; onChange: (v: boolean) => void; error?: string; hint?: string; disabled?: boolean; name: string;
}) {
  const id = useId();
  return (
    <div className={`field ${error ? 'has-error' : ''}`}>
      <label className="check">
        <input
          type="checkbox"
          name={name}
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          aria-invalid={!!error}
          aria-describedby={describedBy(id, error, hint)}
        />
        {label}
      </label>
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

export function ErrorBanner({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="banner error" role="alert">
      {message}
    </div>
  );
}

export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.close)');
    first?.focus();
    return () => before?.focus();
  }, []);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') onClose();
    if (e.key === 'Tab' && ref.current) {
      // Focus stays inside the dialog.
      const f = ref.current.querySelectorAll<HTMLElement>('a, button, input, select, textarea, [tabindex="0"]');
      if (f.length === 0) return;
      const firstEl = f[0];
      const lastEl = f[f.length - 1];
      if (e.shiftKey && document.activeElement === firstEl) {
        e.preventDefault();
        lastEl.focus();
      } else if (!e.shiftKey && document.activeElement === lastEl) {
        e.preventDefault();
        firstEl.focus();
      }
    }
  };
  const { t } = useI18n();
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`dialog ${wide ? 'wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} onKeyDown={onKey}>
        <div className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="close" onClick={onClose} aria-label={t('common.close')}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

const STATUS_KEYS: Record<string, MessageKey> = {
  pending: 'status.pending',
  progressing: 'status.progressing',
  succeeded: 'status.succeeded',
  failed: 'status.failed',
  superseded: 'status.superseded',
  running: 'status.running',
  starting: 'status.starting',
  stopped: 'status.stopped',
  exited: 'status.exited',
  offline: 'status.offline',
  ready: 'status.ready',
  notready: 'status.notready',
};

// The footer of a dialog's form: the submit button (primary, or danger for what stops something), then
// Cancel. `before` goes first (a Back button).
export function DialogActions({ label, busy, disabled, danger, testId, onCancel, before }: {
  label: string; busy: boolean; disabled?: boolean; danger?: boolean; testId?: string; onCancel: () => void; before?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="actions">
      {before}
      <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy || disabled} data-testid={testId}>
        {label}
      </button>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = STATUS_KEYS[status];
  return <span className={`badge s-${status}`}>{key ? t(key) : status}</span>;
}

export function Tabs({ tabs, current, onSelect, label }: { tabs: { id: string; label: string }[]; current: string; onSelect: (id: string) => void; label: string }) {
  const onKey = (e: KeyboardEvent, i: number) => {
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : -2;
    if (next === -2) return;
    const tab = tabs[(next + tabs.length) % tabs.length];
    onSelect(tab.id);
    (e.currentTarget.parentElement?.querySelector(`[data-tab="${tab.id}"]`) as HTMLElement | null)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="tabs">
      {tabs.map((tab, i) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          data-tab={tab.id}
          aria-selected={tab.id === current}
          tabIndex={tab.id === current ? 0 : -1}
          onClick={() => onSelect(tab.id)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function tagOf(image: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : at >= 0 ? image.slice(at + 1, at + 20) : 'latest';
}

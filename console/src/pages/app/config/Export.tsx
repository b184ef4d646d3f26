// Export of the draft or a published version's scalar items as .properties, .env, YAML or JSON (GET
// .../config/export), downloaded as a file and shown in the dialog. Secret values are masked unless the
// caller holds config.reveal and asks for them.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../../../i18n';
import { useAction } from '../../../hooks';
import { request } from '../../../api/client';
import type { ConfigVersion } from '../../../api/types';
import { Dialog, DialogActions, ErrorBanner, Field, fieldError, formError } from '../../../components/ui';
import { FORMAT_EXT, downloadText, type Format } from './model';
import { FormatField } from './FormatField';

const MIME: Record<Format, string> = { properties: 'text/x-java-properties', env: 'text/plain', yaml: 'application/yaml', json: 'application/json' };

export function ExportDialog({ base, app, env, versions, canReveal, reveal, onClose }: {
  base: string;
  app: string;
  env: string;
  versions: ConfigVersion[];
  canReveal: boolean;
  reveal: boolean;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [which, setWhich] = useState(versions[0] ? String(versions[0].version) : 'draft');
  const [format, setFormat] = useState<Format>('properties');
  const [secrets, setSecrets] = useState(canReveal && reveal);
  const [done, setDone] = useState<{ name: string; text: string } | null>(null);
  const { error, busy, run } = useAction();
  // The button is disabled while it works, which drops the focus: give it to the exported text.
  const shown = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (done) shown.current?.focus();
  }, [done]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      setDone(null);
      const q = `format=${format}&version=${which}${secrets ? '&reveal=1' : ''}`;
      const text = await (await request('GET', `${base}/config/export?${q}`)).text();
      const name = `${app}-${env}-${which === 'draft' ? 'draft' : `v${which}`}.${FORMAT_EXT[format]}`;
      downloadText(name, text, MIME[format]);
      setDone({ name, text });
    });
  };
  return (
    <Dialog title={t('config.exportTitle', { app, env })} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <ErrorBanner message={formError(error, 'version', 'format')} />
        <div className="grid2">
          <Field label={t('config.exportWhich')} error={fieldError(error, 'version')}>
            {(p) => (
              <select {...p} value={which} onChange={(e) => setWhich(e.target.value)}>
                {versions.map((v) => (
                  <option key={v.version} value={String(v.version)}>
                    {`v${v.version}${v.message ? ` — ${v.message}` : ''}`}
                  </option>
                ))}
                <option value="draft">{t('config.theDraft')}</option>
              </select>
            )}
          </Field>
          <FormatField value={format} onChange={setFormat} error={fieldError(error, 'format')} />
        </div>
        {canReveal ? (
          <label className="check">
            <input type="checkbox" checked={secrets} onChange={(e) => setSecrets(e.target.checked)} />
            {t('config.exportSecrets')}
          </label>
        ) : (
          <p className="hint">{t('config.exportMasked')}</p>
        )}
        <p className="hint">{t('config.exportScalars')}</p>
        {done && (
          <div className="banner ok" role="status">
            {t('config.exported', { name: done.name })}
          </div>
        )}
        {done && <pre className="config-export" tabIndex={0} aria-label={done.name} ref={shown}>{done.text}</pre>}
        <DialogActions label={t('config.download')} busy={busy} testId="config-export-download" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

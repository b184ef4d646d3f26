// Import of a .properties, .env, YAML or JSON file (chosen, or pasted) into the draft: first what it would
// change (the server's dry run of the same call: the file is read once, by the server), then POST
// .../config/import, whose errors ("line 3: ...") are shown next to the text. Existing items keep their type,
// comment and secrecy; "replace" also removes the scalar items the file does not name.
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useI18n } from '../../../i18n';
import { useAction } from '../../../hooks';
import { ApiError, api, post } from '../../../api/client';
import type { ConfigDraft } from '../../../api/types';
import { Dialog, DialogActions, ErrorBanner, Field, fieldError, formError } from '../../../components/ui';
import { ConfigDiff } from './ConfigDiff';
import { FormatField } from './FormatField';
import { diffItems, formatOfName, type Format } from './model';

// How long typing pauses before the preview is asked for.
const PREVIEW_DELAY_MS = 250;

const ACCEPT = '.properties,.env,.yaml,.yml,.json,text/plain,application/json';

export function ImportDialog({ base, draft, dirty, reveal, onClose, onImported }: {
  base: string;
  draft: ConfigDraft;
  dirty: boolean;
  reveal: boolean;
  onClose: () => void;
  onImported: (keys: number) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState('');
  const [format, setFormat] = useState<Format>('properties');
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const { error, busy, run, setError } = useAction();
  // A refused import puts the focus on the field at fault (the button, disabled while it ran, lost it).
  const textRef = useRef<HTMLTextAreaElement>(null);
  const formatRef = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (!error) return;
    (fieldError(error, 'format') ? formatRef.current : textRef.current)?.focus();
  }, [error]);

  // The draft the import would leave (dryRun=true), or why the server refuses the text.
  const [preview, setPreview] = useState<{ after: ConfigDraft; imported: number } | { problem: ApiError } | null>(null);
  useEffect(() => {
    setPreview(null);
    if (!text.trim()) return;
    const ctl = new AbortController();
    const timer = window.setTimeout(() => {
      api<ConfigDraft & { imported: number }>('POST', `${base}/config/import?dryRun=true${reveal ? '&reveal=1' : ''}`, { format, text, mode }, ctl.signal)
        .then((after) => setPreview({ after, imported: after.imported }))
        .catch((e: unknown) => {
          if ((e as Error).name !== 'AbortError') setPreview({ problem: e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)) });
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [base, text, format, mode, reveal]);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (!f) return;
    setError(undefined);
    setFileName(f.name);
    const guessed = formatOfName(f.name);
    if (guessed) setFormat(guessed);
    setText(await f.text());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await post<ConfigDraft>(`${base}/config/import`, { format, text, mode, resourceVersion: draft.resourceVersion });
      onImported(preview && 'after' in preview ? preview.imported : 0);
      onClose();
    });
  };
  return (
    <Dialog title={t('config.importTitle')} onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        {dirty && <div className="banner error" role="alert">{t('config.importDirty')}</div>}
        <ErrorBanner message={formError(error, 'text', 'format', 'mode')} />
        <div className="grid2">
          <Field label={t('config.importFile')} hint={fileName ? t('config.importRead', { name: fileName }) : t('config.importFileHint')}>
            {(p) => <input {...p} type="file" accept={ACCEPT} onChange={(e) => void onFile(e)} />}
          </Field>
          <FormatField value={format} onChange={setFormat} error={fieldError(error, 'format')} ref={formatRef} />
        </div>
        <Field label={t('config.importText')} error={fieldError(error, 'text')}>
          {(p) => <textarea {...p} ref={textRef} rows={6} className="mono" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <fieldset className={fieldError(error, 'mode') ? 'has-error' : ''}>
          <legend>{t('config.importMode')}</legend>
          <label className="check">
            <input type="radio" name="cfg-import-mode" checked={mode === 'merge'} onChange={() => setMode('merge')} />
            {t('config.importMerge')}
          </label>
          <label className="check">
            <input type="radio" name="cfg-import-mode" checked={mode === 'replace'} onChange={() => setMode('replace')} />
            {t('config.importReplace')}
          </label>
          {fieldError(error, 'mode') && (
            <div className="field-error" role="alert">
              {fieldError(error, 'mode')}
            </div>
          )}
        </fieldset>
        <section aria-labelledby="cfg-import-preview" className="config-preview" data-testid="config-import-preview">
          <h3 id="cfg-import-preview">{t('config.importPreview')}</h3>
          {!preview && <p className="muted">{t('config.importNothing')}</p>}
          {preview && 'problem' in preview && (
            <p className="field-error" role="status">
              {t('config.previewProblem', { problem: preview.problem.message })}
            </p>
          )}
          {preview && 'after' in preview && (
            <ConfigDiff
              caption={t('config.importCaption', { n: preview.imported })}
              changes={diffItems(draft.items, preview.after.items).changes}
              before={draft.items}
              after={preview.after.items}
              beforeLabel={t('config.draft')}
              afterLabel={t('config.afterImport')}
              reveal={reveal}
            />
          )}
        </section>
        <DialogActions
          label={t('config.importConfirm')}
          busy={busy}
          disabled={!text.trim() || dirty}
          testId="config-import-confirm"
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

// The choice of a text format (.properties, .env, YAML, JSON) for import and export, with the API's error.
import type { Ref } from 'react';
import { useI18n } from '../../../i18n';
import { Field } from '../../../components/ui';
import { FORMATS, type Format } from './model';

export function FormatField({ value, onChange, error, ref }: {
  value: Format;
  onChange: (f: Format) => void;
  error?: string;
  ref?: Ref<HTMLSelectElement>;
}) {
  const { t } = useI18n();
  return (
    <Field label={t('config.format')} error={error}>
      {(p) => (
        <select {...p} ref={ref} value={value} onChange={(e) => onChange(e.target.value as Format)}>
          {FORMATS.map((f) => (
            <option key={f} value={f}>
              {t(`config.format.${f}`)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

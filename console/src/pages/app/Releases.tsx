// Release history (who, when, why) and the difference between any two releases: image, config version,
// replicas, and the spec line by line.
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n';
import type { Release } from '../../api/types';
import { ChangeTable, TextDiff, stableJson } from '../../components/Diff';
import { Empty, StatusBadge, tagOf } from '../../components/ui';

export function ReleasesTab({ releases }: { releases: Release[] }) {
  const { t, fmtTime } = useI18n();
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  useEffect(() => {
    if (releases.length >= 2 && from === null && to === null) {
      setFrom(releases[1].revision);
      setTo(releases[0].revision);
    }
  }, [releases, from, to]);
  if (releases.length === 0) return <Empty>{t('releases.none')}</Empty>;
  const a = releases.find((r) => r.revision === from);
  const b = releases.find((r) => r.revision === to);
  const dash = (v: unknown) => (v === undefined || v === null || v === 0 ? '—' : String(v));
  return (
    <>
      <table className="list" data-testid="releases">
        <caption className="sr-only">{t('tab.releases')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('releases.compareFrom')}</th>
            <th scope="col">{t('releases.compareTo')}</th>
            <th scope="col">{t('releases.revision')}</th>
            <th scope="col">{t('releases.kind')}</th>
            <th scope="col">{t('releases.status')}</th>
            <th scope="col">{t('app.version')}</th>
            <th scope="col">{t('deploy.configVersion')}</th>
            <th scope="col">{t('app.replicas')}</th>
            <th scope="col">{t('releases.who')}</th>
            <th scope="col">{t('releases.when')}</th>
            <th scope="col">{t('releases.why')}</th>
          </tr>
        </thead>
        <tbody>
          {releases.map((r) => (
            <tr key={r.revision}>
              <td>
                <input type="radio" name="from" aria-label={t('releases.compareFromN', { n: r.revision })} checked={from === r.revision} onChange={() => setFrom(r.revision)} />
              </td>
              <td>
                <input type="radio" name="to" aria-label={t('releases.compareToN', { n: r.revision })} checked={to === r.revision} onChange={() => setTo(r.revision)} />
              </td>
              <td>r{r.revision}</td>
              <td>
                {(['deploy', 'rollback', 'scale', 'offline'] as const).includes(r.kind as 'deploy') ? t(`kind.${r.kind as 'deploy'}`) : r.kind}
                {r.rollbackOf ? ` → r${r.rollbackOf}` : ''}
              </td>
              <td>
                <StatusBadge status={r.status} />
                {r.reason && <div className="small muted">{r.reason}</div>}
              </td>
              <td>
                <code>{tagOf(r.image)}</code>
              </td>
              <td>{dash(r.configVersion)}</td>
              <td>{r.replicas}</td>
              <td>{r.createdBy}</td>
              <td>{fmtTime(r.createdAt)}</td>
              <td>{r.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {a && b && (
        <section aria-label={t('releases.diff')} className="diff-section">
          <h2>{t('releases.diffTitle', { a: a.revision, b: b.revision })}</h2>
          <ChangeTable
            caption={t('releases.diff')}
            before={`r${a.revision}`}
            after={`r${b.revision}`}
            changes={[
              { what: t('app.image'), before: a.image, after: b.image },
              { what: t('releases.digest'), before: dash(a.imageDigest), after: dash(b.imageDigest) },
              { what: t('deploy.configVersion'), before: dash(a.configVersion), after: dash(b.configVersion) },
              { what: t('app.replicas'), before: String(a.replicas), after: String(b.replicas) },
            ]}
          />
          <TextDiff label={t('rollback.specDiff')} before={stableJson(a.spec)} after={stableJson(b.spec)} />
        </section>
      )}
    </>
  );
}

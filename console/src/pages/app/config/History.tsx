// The published versions (who, when, why, how many items), the items of any one of them, and the difference
// between any two of them or between a version and the draft, key by key (GET .../config/diff, with both
// snapshots for the values, types and comments).
import { useEffect, useState } from 'react';
import { useI18n } from '../../../i18n';
import { useGet } from '../../../hooks';
import type { ConfigDraft, ConfigVersion } from '../../../api/types';
import { Empty, ErrorBanner } from '../../../components/ui';
import { ConfigDiff } from './ConfigDiff';
import { ItemTable } from './ItemTable';
import { revealQ, type DiffAnswer, type Item, type Snapshot } from './model';

type Version = ConfigVersion & { itemCount?: number };

export function History({ base, versions, draft, reveal, reloadKey }: {
  base: string;
  versions: Version[];
  draft?: ConfigDraft;
  reveal: boolean;
  reloadKey: unknown;
}) {
  const { t, fmtTime } = useI18n();
  const [from, setFrom] = useState<Snapshot | null>(null);
  const [to, setTo] = useState<Snapshot | null>(null);
  const [view, setView] = useState<number | null>(null);
  useEffect(() => {
    if (from !== null || to !== null || versions.length === 0) return;
    if (versions.length >= 2) {
      setFrom(versions[1].version);
      setTo(versions[0].version);
    } else {
      setFrom(versions[0].version);
      setTo('draft');
    }
  }, [versions, from, to]);
  const snapPath = (s: Snapshot | null) =>
    s === null || s === 0 ? null : s === 'draft' ? `${base}/config/draft${revealQ(reveal)}` : `${base}/config/versions/${s}${revealQ(reveal)}`;
  const ready = from !== null && to !== null && from !== to;
  const diff = useGet<DiffAnswer>(ready ? `${base}/config/diff?from=${from}&to=${to}` : null, reloadKey, draft?.resourceVersion);
  const a = useGet<{ items: Item[] }>(ready ? snapPath(from) : null, reloadKey, from === 'draft' ? draft?.resourceVersion : 0);
  const b = useGet<{ items: Item[] }>(ready ? snapPath(to) : null, reloadKey, to === 'draft' ? draft?.resourceVersion : 0);
  const shown = useGet<Version>(view ? `${base}/config/versions/${view}${revealQ(reveal)}` : null);
  const name = (s: Snapshot) => (s === 'draft' ? t('config.draft') : `v${s}`);
  const meta = (s: Snapshot) => {
    if (s === 'draft') return draft ? t('config.draftMeta', { who: draft.updatedBy || '—', when: fmtTime(draft.updatedAt) }) : '';
    const v = versions.find((x) => x.version === s);
    return v ? t('config.versionMeta', { who: v.createdBy ?? '', when: fmtTime(v.createdAt), why: v.message || '—' }) : '';
  };
  const radios = (s: Snapshot, label: string) => (
    <>
      <td>
        <input type="radio" name="cfg-from" aria-label={t('config.compareFromN', { v: label })} checked={from === s} onChange={() => setFrom(s)} />
      </td>
      <td>
        <input type="radio" name="cfg-to" aria-label={t('config.compareToN', { v: label })} checked={to === s} onChange={() => setTo(s)} />
      </td>
    </>
  );
  return (
    <section aria-labelledby="cfg-history">
      <h2 id="cfg-history">{t('config.history')}</h2>
      {versions.length === 0 ? (
        <Empty>{t('config.noVersions')}</Empty>
      ) : (
        <table className="list" data-testid="config-versions">
          <caption className="sr-only">{t('config.history')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('releases.compareFrom')}</th>
              <th scope="col">{t('releases.compareTo')}</th>
              <th scope="col">{t('config.version')}</th>
              <th scope="col">{t('releases.who')}</th>
              <th scope="col">{t('releases.when')}</th>
              <th scope="col">{t('releases.why')}</th>
              <th scope="col">{t('config.itemCount')}</th>
              <th scope="col">
                <span className="sr-only">{t('common.view')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft && (
              <tr className="draft-row">
                {radios('draft', t('config.theDraft'))}
                <td>{t('config.draft')}</td>
                <td>{draft.updatedBy}</td>
                <td>{fmtTime(draft.updatedAt)}</td>
                <td className="muted">{t('config.unpublished')}</td>
                <td>{draft.items.length}</td>
                <td />
              </tr>
            )}
            {versions.map((v) => (
              <tr key={v.version}>
                {radios(v.version, `v${v.version}`)}
                <td>v{v.version}</td>
                <td>{v.createdBy}</td>
                <td>{fmtTime(v.createdAt)}</td>
                <td>{v.message}</td>
                <td>{v.itemCount ?? ''}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => setView(view === v.version ? null : v.version)}
                    aria-expanded={view === v.version}
                    aria-label={t('config.viewItems', { v: v.version })}
                  >
                    {view === v.version ? t('config.hideItems') : t('common.view')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBanner message={shown.error?.message} />
      {view !== null && shown.data && (
        <div className="config-panel">
          <p className="muted small">{meta(shown.data.version)}</p>
          <ItemTable caption={t('config.versionItems', { v: shown.data.version })} items={shown.data.items ?? []} testId="config-version-items" />
        </div>
      )}
      {from !== null && to !== null && (
        <section aria-labelledby="cfg-vdiff" className="config-panel" data-testid="config-history-diff">
          <h3 id="cfg-vdiff">{t('config.diffTitle', { a: name(from), b: name(to) })}</h3>
          {from === to ? (
            <p className="muted">{t('config.pickTwo')}</p>
          ) : (
            <>
              <dl className="config-meta">
                <div>
                  <dt>{name(from)}</dt>
                  <dd>{meta(from)}</dd>
                </div>
                <div>
                  <dt>{name(to)}</dt>
                  <dd>{meta(to)}</dd>
                </div>
              </dl>
              <ErrorBanner message={diff.error?.message ?? a.error?.message ?? b.error?.message} />
              {diff.data && (from === 0 || a.data) && b.data && (
                <ConfigDiff
                  caption={t('config.diffCaption', { a: name(from), b: name(to) })}
                  changes={diff.data.changes}
                  before={a.data?.items ?? []}
                  after={b.data.items}
                  beforeLabel={name(from)}
                  afterLabel={name(to)}
                  reveal={reveal}
                  quiet
                />
              )}
            </>
          )}
        </section>
      )}
    </section>
  );
}

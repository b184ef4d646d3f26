// This environment's config against another environment's, key by key: what is live here against the
// latest version published there, or draft against draft. The API has no cross-environment diff, so the
// two snapshots are compared here; masked secrets cannot be, and are listed as such until revealed.
import { useMemo, useState } from 'react';
import { useI18n } from '../../../i18n';
import { useGet } from '../../../hooks';
import { appEnvPath } from '../../../api/client';
import type { ConfigVersion, Environment, Page } from '../../../api/types';
import { ErrorBanner, Field } from '../../../components/ui';
import { ConfigDiff } from './ConfigDiff';
import { diffItems, revealQ, type Item, type LiveAnswer } from './model';

type Mode = 'published' | 'drafts';

export function CompareEnvs({ project, app, env, envs, reveal, reloadKey }: {
  project: string;
  app: string;
  env: string;
  envs: Environment[];
  reveal: boolean;
  reloadKey: unknown;
}) {
  const { t } = useI18n();
  const others = envs.filter((e) => e.name !== env);
  const [other, setOther] = useState('');
  const [mode, setMode] = useState<Mode>('published');
  const here = appEnvPath(project, app, env);
  const there = other ? appEnvPath(project, app, other) : null;
  const r = revealQ(reveal);
  // Published: the live version here; the latest version there (its number first, then its items).
  const live = useGet<LiveAnswer>(other && mode === 'published' ? `${here}/config/live${r}` : null, reloadKey);
  const latest = useGet<Page<ConfigVersion>>(there && mode === 'published' ? `${there}/config/versions?limit=1` : null, reloadKey);
  const latestN = latest.data?.items[0]?.version ?? 0;
  const theirs = useGet<ConfigVersion>(there && mode === 'published' && latestN > 0 ? `${there}/config/versions/${latestN}${r}` : null, reloadKey);
  const ourDraft = useGet<{ items: Item[] }>(other && mode === 'drafts' ? `${here}/config/draft${r}` : null, reloadKey);
  const theirDraft = useGet<{ items: Item[] }>(there && mode === 'drafts' ? `${there}/config/draft${r}` : null, reloadKey);

  let left: Item[] | undefined;
  let right: Item[] | undefined;
  let leftLabel = env;
  let rightLabel = other;
  if (mode === 'published') {
    left = live.data?.items;
    right = latest.data ? (latestN > 0 ? theirs.data?.items : []) : undefined;
    leftLabel = live.data?.version ? t('config.liveLabel', { env, v: live.data.version }) : t('config.nothingLabel', { env });
    rightLabel = latestN > 0 ? t('config.latestLabel', { env: other, v: latestN }) : t('config.nothingLabel', { env: other });
  } else {
    left = ourDraft.data?.items;
    right = theirDraft.data?.items;
    leftLabel = t('config.draftLabel', { env });
    rightLabel = t('config.draftLabel', { env: other });
  }
  const diff = useMemo(() => (left && right ? diffItems(left, right) : null), [left, right]);
  const error = [live, latest, theirs, ourDraft, theirDraft].find((x) => x.error)?.error?.message;

  if (others.length === 0) return null;
  return (
    <section aria-labelledby="cfg-compare">
      <h2 id="cfg-compare">{t('config.compare')}</h2>
      <div className="toolbar">
        <Field label={t('config.compareWith')}>
          {(p) => (
            <select {...p} value={other} onChange={(e) => setOther(e.target.value)} data-testid="config-compare-env">
              <option value="">—</option>
              {others.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset className="choices">
          <legend>{t('config.compareWhat')}</legend>
          <label className="check">
            <input type="radio" name="cfg-compare-mode" checked={mode === 'published'} onChange={() => setMode('published')} />
            {t('config.comparePublished')}
          </label>
          <label className="check">
            <input type="radio" name="cfg-compare-mode" checked={mode === 'drafts'} onChange={() => setMode('drafts')} />
            {t('config.compareDrafts')}
          </label>
        </fieldset>
      </div>
      <ErrorBanner message={error} />
      {other && diff && (
        <ConfigDiff
          caption={t('config.compareCaption', { a: leftLabel, b: rightLabel })}
          changes={diff.changes}
          hidden={diff.hidden}
          before={left ?? []}
          after={right ?? []}
          beforeLabel={leftLabel}
          afterLabel={rightLabel}
          reveal={reveal}
          testId="config-compare"
          words={{
            added: t('config.onlyIn', { env: other }),
            removed: t('config.onlyIn', { env }),
            summary: t('config.compareSummary', {
              changed: diff.changes.filter((c) => c.change === 'changed').length,
              there: diff.changes.filter((c) => c.change === 'added').length,
              here: diff.changes.filter((c) => c.change === 'removed').length,
              a: env,
              b: other,
            }),
          }}
        />
      )}
    </section>
  );
}

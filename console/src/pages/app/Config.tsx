// The config centre of an app in an environment: the draft as a table of items (type, value, comment,
// secret) with each item's problems next to it, what the draft changes since its base version, publish
// with a message (a 422 lists every invalid item, shown on its row), the published versions, and a
// comparison with another environment.
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../../i18n';
import { useAction, useGet } from '../../hooks';
import { appEnvPath, post, put } from '../../api/client';
import type { ConfigDraft, ConfigItem, ConfigVersion, Environment, Page } from '../../api/types';
import { Empty, ErrorBanner, Field, fieldError } from '../../components/ui';

const TYPES = ['string', 'int', 'bool', 'json', 'yaml', 'properties', 'text'];

export function ConfigTab({ project, app, env, envs, perms }: { project: string; app: string; env: string; envs: Environment[]; perms: Set<string> }) {
  const { t, fmtTime } = useI18n();
  const base = appEnvPath(project, app, env);
  const draft = useGet<ConfigDraft>(`${base}/config/draft`);
  const versions = useGet<Page<ConfigVersion>>(`${base}/config/versions?limit=100`);
  const [items, setItems] = useState<ConfigItem[]>([]);
  const [dirty, setDirty] = useState(false);
  const [message, setMessage] = useState('');
  const [published, setPublished] = useState<number | null>(null);
  const [other, setOther] = useState('');
  const [viewVersion, setViewVersion] = useState<number | null>(null);
  const save = useAction();
  const publish = useAction();
  const canEdit = perms.has('config.edit');
  const canPublish = perms.has('config.publish');
  useEffect(() => {
    if (draft.data && !dirty) setItems(draft.data.items.map((i) => ({ ...i, comment: i.comment ?? '' })));
  }, [draft.data, dirty]);

  // Problems by key: the draft's own, then a refused publish's items.
  const problems = useMemo(() => {
    const m = new Map<string, string[]>();
    const add = (key: string, msg: string) => {
      const list = m.get(key) ?? [];
      if (!list.includes(msg)) m.set(key, [...list, msg]);
    };
    if (!dirty) draft.data?.problems.forEach((p) => add(p.key, p.message));
    publish.error?.items.forEach((p) => add(p.key, p.message));
    return m;
  }, [draft.data, publish.error, dirty]);

  const update = (i: number, patch: Partial<ConfigItem>) => {
    setItems(items.map((it, j) => (j === i ? { ...it, ...patch } : it)));
    setDirty(true);
  };
  const saveDraft = () =>
    save.run(async () => {
      await put(`${base}/config/draft`, { items, resourceVersion: draft.data?.resourceVersion ?? 0 });
      setDirty(false);
      draft.reload();
      return true;
    });
  const doPublish = () =>
    publish.run(async () => {
      if (dirty && !(await saveDraft())) return;
      const v = await post<ConfigVersion>(`${base}/config/publish`, { message });
      setPublished(v.version);
      setMessage('');
      draft.reload();
      versions.reload();
    });

  const otherDraft = useGet<ConfigDraft>(other ? `${appEnvPath(project, app, other)}/config/draft` : null);
  const shownVersion = useGet<ConfigVersion>(viewVersion ? `${base}/config/versions/${viewVersion}` : null);

  return (
    <div className="config">
      <ErrorBanner message={draft.error?.message} />
      <section aria-labelledby="cfg-draft">
        <div className="section-head">
          <h2 id="cfg-draft">
            {t('config.draft')}{' '}
            <span className="muted small">
              {t('config.base', { v: draft.data?.baseVersion ?? 0 })}
              {draft.data?.updatedBy ? ` · ${draft.data.updatedBy} ${fmtTime(draft.data.updatedAt)}` : ''}
            </span>
          </h2>
          {canEdit && (
            <div className="actions">
              <button type="button" onClick={() => { setItems([...items, { key: '', value: '', type: 'string', comment: '', secret: false }]); setDirty(true); }}>
                {t('config.add')}
              </button>
              <button type="button" className="primary" disabled={!dirty || save.busy} onClick={() => void saveDraft()} data-testid="config-save">
                {t('config.save')}
              </button>
              {dirty && (
                <button type="button" onClick={() => { setDirty(false); draft.reload(); }}>
                  {t('config.discard')}
                </button>
              )}
            </div>
          )}
        </div>
        <ErrorBanner message={save.error && !save.error.field ? save.error.message : undefined} />
        {items.length === 0 ? (
          <Empty>{t('config.empty')}</Empty>
        ) : (
          <table className="list config-items">
            <caption className="sr-only">{t('config.draft')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('config.key')}</th>
                <th scope="col">{t('config.type')}</th>
                <th scope="col">{t('config.value')}</th>
                <th scope="col">{t('config.comment')}</th>
                <th scope="col">{t('config.secret')}</th>
                {canEdit && <th scope="col"><span className="sr-only">{t('common.remove')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {items.map((it, i) => {
                const errs = [...(problems.get(it.key) ?? [])];
                const fe = fieldError(save.error, `items.${i}`) ?? (save.error?.field?.startsWith(`items[${i}]`) ? save.error.message : undefined);
                if (fe) errs.push(fe);
                const multi = ['json', 'yaml', 'properties', 'text'].includes(it.type);
                const errId = `cfg-err-${i}`;
                return (
                  <tr key={i} className={errs.length ? 'has-error' : ''} data-key={it.key}>
                    <td>
                      <input aria-label={t('config.keyOf', { n: i + 1 })} value={it.key} readOnly={!canEdit} onChange={(e) => update(i, { key: e.target.value })} aria-invalid={errs.length > 0} aria-describedby={errs.length ? errId : undefined} />
                    </td>
                    <td>
                      <select aria-label={t('config.typeOf', { key: it.key })} value={it.type} disabled={!canEdit} onChange={(e) => update(i, { type: e.target.value })}>
                        {TYPES.map((x) => (
                          <option key={x}>{x}</option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {multi ? (
                        <textarea aria-label={t('config.valueOf', { key: it.key })} value={it.value} readOnly={!canEdit} rows={3} onChange={(e) => update(i, { value: e.target.value })} aria-invalid={errs.length > 0} aria-describedby={errs.length ? errId : undefined} />
                      ) : (
                        <input aria-label={t('config.valueOf', { key: it.key })} value={it.value} readOnly={!canEdit} onChange={(e) => update(i, { value: e.target.value })} aria-invalid={errs.length > 0} aria-describedby={errs.length ? errId : undefined} />
                      )}
                      {errs.length > 0 && (
                        <div className="field-error" id={errId} role="alert">
                          {errs.join('; ')}
                        </div>
                      )}
                    </td>
                    <td>
                      <input aria-label={t('config.commentOf', { key: it.key })} value={it.comment} readOnly={!canEdit} onChange={(e) => update(i, { comment: e.target.value })} />
                    </td>
                    <td>
                      <input type="checkbox" aria-label={t('config.secretOf', { key: it.key })} checked={it.secret} disabled={!canEdit} onChange={(e) => update(i, { secret: e.target.checked })} />
                    </td>
                    {canEdit && (
                      <td>
                        <button type="button" className="link" onClick={() => { setItems(items.filter((_, j) => j !== i)); setDirty(true); }}>
                          {t('common.remove')}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="cfg-changes">
        <h2 id="cfg-changes">{t('config.changes')}</h2>
        {dirty && <p className="muted">{t('config.unsaved')}</p>}
        {(draft.data?.changes.length ?? 0) === 0 ? (
          <Empty>{t('config.noChanges')}</Empty>
        ) : (
          <ul className="changes-list">
            {draft.data!.changes.map((c) => (
              <li key={c.key} className={`chg-${c.change}`}>
                <strong>{['added', 'removed', 'changed'].includes(c.change) ? t(`change.${c.change as 'added'}`) : c.change}</strong> <code>{c.key}</code>
                {c.oldValue !== undefined && (
                  <>
                    {' '}
                    <del>{c.oldValue}</del>
                  </>
                )}
                {c.newValue !== undefined && (
                  <>
                    {' → '}
                    <ins>{c.newValue}</ins>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
        {canPublish && (
          <div className="publish">
            <ErrorBanner message={publish.error?.message} />
            {published && (
              <div className="banner ok" role="status">
                {t('config.published', { v: published })}
              </div>
            )}
            <Field label={t('config.publishMessage')}>
              {(p) => <input {...p} value={message} onChange={(e) => setMessage(e.target.value)} />}
            </Field>
            <button type="button" className="primary" disabled={publish.busy} onClick={() => void doPublish()} data-testid="config-publish">
              {t('config.publish')}
            </button>
          </div>
        )}
      </section>

      <section aria-labelledby="cfg-history">
        <h2 id="cfg-history">{t('config.history')}</h2>
        {(versions.data?.items.length ?? 0) === 0 ? (
          <Empty>{t('config.noVersions')}</Empty>
        ) : (
          <table className="list">
            <caption className="sr-only">{t('config.history')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('config.version')}</th>
                <th scope="col">{t('releases.who')}</th>
                <th scope="col">{t('releases.when')}</th>
                <th scope="col">{t('releases.why')}</th>
                <th scope="col"><span className="sr-only">{t('common.view')}</span></th>
              </tr>
            </thead>
            <tbody>
              {versions.data!.items.map((v) => (
                <tr key={v.version}>
                  <td>v{v.version}</td>
                  <td>{v.createdBy}</td>
                  <td>{fmtTime(v.createdAt)}</td>
                  <td>{v.message}</td>
                  <td>
                    <button type="button" className="link" onClick={() => setViewVersion(viewVersion === v.version ? null : v.version)} aria-expanded={viewVersion === v.version}>
                      {t('common.view')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {shownVersion.data && (
          <ItemTable caption={t('config.versionItems', { v: shownVersion.data.version })} items={shownVersion.data.items ?? []} />
        )}
      </section>

      <section aria-labelledby="cfg-compare">
        <h2 id="cfg-compare">{t('config.compare')}</h2>
        <Field label={t('config.compareWith')}>
          {(p) => (
            <select {...p} value={other} onChange={(e) => setOther(e.target.value)}>
              <option value="">—</option>
              {envs.filter((e) => e.name !== env).map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ErrorBanner message={otherDraft.error?.message} />
        {other && otherDraft.data && <CompareTable a={env} b={other} left={items} right={otherDraft.data.items} />}
      </section>
    </div>
  );
}

function ItemTable({ caption, items }: { caption: string; items: ConfigItem[] }) {
  const { t } = useI18n();
  return (
    <table className="list">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('config.key')}</th>
          <th scope="col">{t('config.type')}</th>
          <th scope="col">{t('config.value')}</th>
          <th scope="col">{t('config.comment')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.key}>
            <td className="mono">{i.key}</td>
            <td>{i.type}</td>
            <td className="mono pre">{i.value}</td>
            <td>{i.comment}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CompareTable({ a, b, left, right }: { a: string; b: string; left: ConfigItem[]; right: ConfigItem[] }) {
  const { t } = useI18n();
  const keys = [...new Set([...left.map((i) => i.key), ...right.map((i) => i.key)])].sort();
  const l = new Map(left.map((i) => [i.key, i]));
  const r = new Map(right.map((i) => [i.key, i]));
  return (
    <table className="list">
      <caption>{t('config.compareCaption', { a, b })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('config.key')}</th>
          <th scope="col">{a}</th>
          <th scope="col">{b}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const x = l.get(k);
          const y = r.get(k);
          const same = x && y && x.value === y.value && x.type === y.type;
          return (
            <tr key={k} className={same ? '' : 'changed'}>
              <th scope="row" className="mono">{k}</th>
              <td className="mono pre">{x ? x.value : <em>{t('config.missing')}</em>}</td>
              <td className="mono pre">{y ? y.value : <em>{t('config.missing')}</em>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

// Clusters (platform administrators): the built-in local one and registered Kubernetes clusters. Registering
// checks the kubeconfig against its API server first; what is wrong with it is shown under the kubeconfig.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useAction, useGet } from '../hooks';
import { del, enc, post } from '../api/client';
import type { Cluster, Page } from '../api/types';
import { Dialog, DialogActions, ErrorBanner, Field, fieldError, formError } from '../components/ui';
import { useTick } from '../watch';

// A Kubernetes cluster also says which API server it talks to.
type ClusterRow = Cluster & { server?: string };

function RemoveCluster({ cluster, onClose, onDone }: { cluster: ClusterRow; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { error, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await del(`/api/v1/clusters/${enc(cluster.name)}`);
      onDone();
    });
  };
  return (
    <Dialog title={t('clusters.removeTitle', { cluster: cluster.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{t('clusters.removeText', { cluster: cluster.name })}</p>
        <ErrorBanner message={error?.message} />
        <DialogActions
          label={t('clusters.removeConfirm', { cluster: cluster.name })}
          busy={busy}
          danger
          onCancel={onClose}
          testId="cluster-remove"
        />
      </form>
    </Dialog>
  );
}

export function ClustersPage() {
  const { t, fmtTime } = useI18n();
  const { me } = useSession();
  const tick = useTick('cluster');
  const [n, setN] = useState(0);
  const clusters = useGet<Page<ClusterRow>>('/api/v1/clusters?limit=1000', tick, n);
  const [name, setName] = useState('');
  const [kubeconfig, setKubeconfig] = useState('');
  const [context, setContext] = useState('');
  const [removing, setRemoving] = useState<ClusterRow | null>(null);
  const [notice, setNotice] = useState('');
  const add = useAction();
  const perms = new Set(me?.permissions ?? []);
  const canDelete = perms.has('cluster.delete');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setNotice('');
    void add.run(async () => {
      // No context: the kubeconfig's current-context.
      await post('/api/v1/clusters', { name, type: 'kubernetes', kubeconfig, ...(context ? { context } : {}) });
      setNotice(t('clusters.registered', { cluster: name }));
      setName('');
      setKubeconfig('');
      setContext('');
      setN((x) => x + 1);
    });
  };
  const typeLabel = (c: ClusterRow) =>
    c.type === 'local' ? t('clusters.typeLocal') : c.type === 'kubernetes' ? t('clusters.typeKubernetes') : c.type;
  return (
    <main id="main" className="page">
      <h1>{t('clusters.title')}</h1>
      <p className="muted intro">{t('clusters.intro')}</p>
      {notice && (
        <div className="banner ok" role="status">
          {notice}
        </div>
      )}
      <ErrorBanner message={clusters.error?.message} />
      <table className="list" data-testid="clusters">
        <caption className="sr-only">{t('clusters.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('common.name')}</th>
            <th scope="col">{t('clusters.type')}</th>
            <th scope="col">{t('clusters.server')}</th>
            <th scope="col">{t('common.created')}</th>
            {canDelete && <th scope="col"><span className="sr-only">{t('common.remove')}</span></th>}
          </tr>
        </thead>
        <tbody>
          {(clusters.data?.items ?? []).map((c) => (
            <tr key={c.name} data-cluster={c.name}>
              <td className="app-name">{c.name}</td>
              <td>
                <span className={`badge cluster-${c.type}`}>{typeLabel(c)}</span>
              </td>
              <td>{c.type === 'local' ? <span className="muted">{t('clusters.thisMachine')}</span> : <code>{c.server}</code>}</td>
              <td>{fmtTime(c.createdAt)}</td>
              {canDelete && (
                <td className="row-actions">
                  {c.type !== 'local' && (
                    <button
                      type="button"
                      className="link danger-link"
                      aria-label={t('clusters.removeOf', { cluster: c.name })}
                      onClick={() => { setNotice(''); setRemoving(c); }}
                    >
                      {t('common.remove')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {perms.has('cluster.create') && (
        <form onSubmit={submit} className="card inline-form" noValidate aria-labelledby="add-cluster">
          <h2 id="add-cluster">{t('clusters.add')}</h2>
          <p className="hint">{t('clusters.addHint')}</p>
          <ErrorBanner message={formError(add.error, 'name', 'kubeconfig', 'context')} />
          <div className="grid2">
            <Field label={t('common.name')} error={fieldError(add.error, 'name')} hint={t('common.dnsHint')}>
              {(p) => <input {...p} name="name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label={t('clusters.context')} error={fieldError(add.error, 'context')} hint={t('clusters.contextHint')}>
              {(p) => <input {...p} name="context" autoComplete="off" value={context} onChange={(e) => setContext(e.target.value)} />}
            </Field>
          </div>
          <Field label={t('clusters.kubeconfig')} error={fieldError(add.error, 'kubeconfig')} hint={t('clusters.kubeconfigHint')}>
            {(p) => (
              <textarea
                {...p}
                name="kubeconfig"
                rows={10}
                className="mono"
                spellCheck={false}
                value={kubeconfig}
                onChange={(e) => setKubeconfig(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="primary" disabled={add.busy} data-testid="cluster-add">
            {add.busy ? t('clusters.checking') : t('clusters.register')}
          </button>
        </form>
      )}
      {removing && (
        <RemoveCluster
          cluster={removing}
          onClose={() => setRemoving(null)}
          onDone={() => { setNotice(t('clusters.removed', { cluster: removing.name })); setRemoving(null); setN((x) => x + 1); }}
        />
      )}
    </main>
  );
}

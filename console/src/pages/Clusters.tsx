// Clusters (platform administrators): the built-in local one and registered Kubernetes clusters.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { useAction, useGet } from '../hooks';
import { del, enc, post } from '../api/client';
import type { Cluster, Page } from '../api/types';
import { ErrorBanner, Field, fieldError, formError } from '../components/ui';
import { useTick } from '../watch';

export function ClustersPage() {
  const { t, fmtTime } = useI18n();
  const { me } = useSession();
  const tick = useTick('cluster');
  const clusters = useGet<Page<Cluster>>('/api/v1/clusters', tick);
  const [name, setName] = useState('');
  const [kubeconfig, setKubeconfig] = useState('');
  const add = useAction();
  const remove = useAction();
  const perms = new Set(me?.permissions ?? []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void add.run(async () => {
      await post('/api/v1/clusters', { name, type: 'kubernetes', kubeconfig });
      setName('');
      setKubeconfig('');
      clusters.reload();
    });
  };
  return (
    <main id="main" className="page">
      <h1>{t('clusters.title')}</h1>
      <ErrorBanner message={clusters.error?.message ?? remove.error?.message} />
      <table className="list">
        <caption className="sr-only">{t('clusters.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('common.name')}</th>
            <th scope="col">{t('clusters.type')}</th>
            <th scope="col">{t('common.created')}</th>
            {perms.has('cluster.delete') && <th scope="col"><span className="sr-only">{t('common.remove')}</span></th>}
          </tr>
        </thead>
        <tbody>
          {(clusters.data?.items ?? []).map((c) => (
            <tr key={c.name}>
              <td>{c.name}</td>
              <td>{c.type}</td>
              <td>{fmtTime(c.createdAt)}</td>
              {perms.has('cluster.delete') && (
                <td>
                  {c.type !== 'local' && (
                    <button type="button" className="link" onClick={() => void remove.run(async () => { await del(`/api/v1/clusters/${enc(c.name)}`); clusters.reload(); })}>
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
          <ErrorBanner message={formError(add.error, 'name', 'kubeconfig')} />
          <Field label={t('common.name')} error={fieldError(add.error, 'name')}>
            {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label={t('clusters.kubeconfig')} error={fieldError(add.error, 'kubeconfig')} hint={t('clusters.kubeconfigHint')}>
            {(p) => <textarea {...p} rows={8} className="mono" value={kubeconfig} onChange={(e) => setKubeconfig(e.target.value)} />}
          </Field>
          <button type="submit" className="primary" disabled={add.busy}>
            {t('clusters.add')}
          </button>
        </form>
      )}
    </main>
  );
}

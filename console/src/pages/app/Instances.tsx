// Live instances: state, readiness, restarts, address, cluster and node, age, and the release they run.
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n';
import { useGet } from '../../hooks';
import { appEnvPath } from '../../api/client';
import type { Instance } from '../../api/types';
import { Empty, ErrorBanner, StatusBadge, age } from '../../components/ui';
import { useTick } from '../../watch';

export function InstancesTab({ project, app, env }: { project: string; app: string; env: string }) {
  const { t } = useI18n();
  const tick = useTick(`app:${app}`);
  const { data, error } = useGet<Instance[] | { items: Instance[] }>(`${appEnvPath(project, app, env)}/instances`, tick);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 5000);
    return () => window.clearInterval(id);
  }, []);
  const items = Array.isArray(data) ? data : (data?.items ?? []);
  return (
    <>
      <ErrorBanner message={error?.message} />
      {data && items.length === 0 && <Empty>{t('instances.none')}</Empty>}
      {items.length > 0 && (
        <table className="list" data-testid="instances">
          <caption className="sr-only">{t('tab.instances')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('common.name')}</th>
              <th scope="col">{t('instances.state')}</th>
              <th scope="col">{t('instances.ready')}</th>
              <th scope="col">{t('instances.restarts')}</th>
              <th scope="col">{t('instances.address')}</th>
              <th scope="col">{t('instances.node')}</th>
              <th scope="col">{t('instances.age')}</th>
              <th scope="col">{t('instances.release')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.name} data-ready={i.ready ? 'true' : 'false'}>
                <td className="mono">{i.name}</td>
                <td>
                  <StatusBadge status={i.state} />
                </td>
                <td>
                  <StatusBadge status={i.ready ? 'ready' : 'notready'} />
                </td>
                <td>{i.restarts}</td>
                <td className="mono">
                  {i.address && (
                    <a href={`http://${i.address}/`} target="_blank" rel="noopener noreferrer" data-testid="address">
                      {i.address}
                    </a>
                  )}
                </td>
                <td>
                  {i.cluster}/{i.node}
                </td>
                <td title={i.startedAt}>{age(i.startedAt, now)}</td>
                <td>r{i.release}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

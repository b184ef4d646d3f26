import { describe, expect, it } from 'vitest';
import { parseImage, releaseChanges } from '../src/pages/app/Actions';
import type { Release } from '../src/api/types';

describe('parseImage', () => {
  it('splits registry, repository and tag', () => {
    expect(parseImage('127.0.0.1:5000/team/web:1.4.2')).toEqual({ registry: '127.0.0.1:5000', repository: 'team/web', tag: '1.4.2' });
    expect(parseImage('registry.example.com/web')).toEqual({ registry: 'registry.example.com', repository: 'web', tag: 'latest' });
    expect(parseImage('localhost/a/b:v1')).toEqual({ registry: 'localhost', repository: 'a/b', tag: 'v1' });
    expect(parseImage('team/web:v2')).toEqual({ registry: '', repository: 'team/web', tag: 'v2' });
    expect(parseImage('web@sha256:abc')).toEqual({ registry: '', repository: 'web', tag: 'latest' });
  });
});

const release = (over: Partial<Release>): Release => ({
  revision: 1, app: 'web', environment: 'dev', image: 'r/web:v1', replicas: 2, kind: 'deploy', status: 'succeeded',
  createdBy: 'admin', createdAt: '', clusters: [],
  spec: { name: 'web', image: 'r/web:v1', replicas: 2, env: { A: '1' }, qos: 'standard' } as unknown as Release['spec'],
  ...over,
});

describe('releaseChanges', () => {
  const t = ((k: string) => k) as Parameters<typeof releaseChanges>[0];

  it('lists image, config and replicas, then each other spec field that differs', () => {
    const before = release({ configVersion: 3 });
    const after = release({
      image: 'r/web:v2', configVersion: 4, replicas: 2,
      spec: { ...before.spec, image: 'r/web:v2', env: { A: '2' } } as Release['spec'],
    });
    const changes = releaseChanges(t, before, after);
    expect(changes.map((c) => c.what)).toEqual(['app.image', 'deploy.configVersion', 'app.replicas', 'spec.env']);
    expect(changes.filter((c) => c.before !== c.after).map((c) => c.what)).toEqual(['app.image', 'deploy.configVersion', 'spec.env']);
    expect(changes[3]).toEqual({ what: 'spec.env', before: '{"A":"1"}', after: '{"A":"2"}' });
  });

  it('shows a first release as all new', () => {
    const changes = releaseChanges(t, undefined, release({}));
    expect(changes[0]).toEqual({ what: 'app.image', before: '—', after: 'r/web:v1' });
    expect(changes.map((c) => c.what)).toContain('spec.env');
  });

  it('cuts long values', () => {
    const long = 'x'.repeat(500);
    const changes = releaseChanges(t, release({}), release({ spec: { ...release({}).spec, env: { A: long } } as Release['spec'] }));
    const env = changes.find((c) => c.what === 'spec.env')!;
    expect(env.after.length).toBe(118);
    expect(env.after.endsWith('…')).toBe(true);
  });
});

// Live logs: the followed stream of GET .../logs?follow=1, kept in memory (the newest 50,000 lines) and
// shown in a virtual list. Pause holds new lines back without losing them; search narrows the view to
// matching lines; download saves what is held.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import { useGet } from '../../hooks';
import { ApiError, appEnvPath, enc, request } from '../../api/client';
import type { Instance } from '../../api/types';
import { ErrorBanner, Field } from '../../components/ui';
import { VirtualList } from '../../components/VirtualList';

const MAX_LINES = 50000;
// How many earlier lines the stream starts with.
const TAILS = [100, 1000, 10000, MAX_LINES];

export function LogsTab({ project, app, env }: { project: string; app: string; env: string }) {
  const { t } = useI18n();
  const base = appEnvPath(project, app, env);
  const instances = useGet<Instance[]>(`${base}/instances`);
  const [instance, setInstance] = useState('');
  const [tail, setTail] = useState(1000);
  const [lines, setLines] = useState<string[]>([]);
  const [paused, setPaused] = useState(false);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string>();
  const [streaming, setStreaming] = useState(false);
  const held = useRef<string[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const [heldCount, setHeldCount] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setLines([]);
    held.current = [];
    setError(undefined);
    let buffer: string[] = [];
    let timer: number | undefined;
    const flush = () => {
      timer = undefined;
      const batch = buffer;
      buffer = [];
      if (pausedRef.current) {
        held.current.push(...batch);
        setHeldCount(held.current.length);
        return;
      }
      setLines((old) => {
        const next = old.concat(batch);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    (async () => {
      const q = `tail=${tail}&follow=1&timestamps=1${instance ? `&instance=${enc(instance)}` : ''}`;
      const res = await request('GET', `${base}/logs?${q}`, undefined, ctl.signal);
      setStreaming(true);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let partial = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        partial += decoder.decode(value, { stream: true });
        const parts = partial.split('\n');
        partial = parts.pop() ?? '';
        buffer.push(...parts);
        if (timer === undefined) timer = window.setTimeout(flush, 100);
      }
      if (partial) buffer.push(partial);
      flush();
    })()
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(e instanceof ApiError ? e.message : String(e));
      })
      .finally(() => setStreaming(false));
    return () => {
      ctl.abort();
      window.clearTimeout(timer);
    };
  }, [base, instance, tail]);

  const resume = () => {
    setPaused(false);
    const h = held.current;
    held.current = [];
    setHeldCount(0);
    setLines((old) => old.concat(h).slice(-MAX_LINES));
  };
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? lines.filter((l) => l.toLowerCase().includes(q)) : lines;
  }, [lines, query]);
  const download = () => {
    const blob = new Blob([lines.join('\n') + '\n'], { type: 'text/plain' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${project}-${app}-${env}${instance ? '-' + instance : ''}.log`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const q = query.trim();
  return (
    <div className="logs">
      <div className="toolbar">
        <Field label={t('logs.instance')}>
          {(p) => (
            <select {...p} value={instance} onChange={(e) => setInstance(e.target.value)}>
              <option value="">{t('logs.allInstances')}</option>
              {(instances.data ?? []).map((i) => (
                <option key={i.name} value={i.name}>
                  {i.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('logs.tail')}>
          {(p) => (
            <select {...p} value={tail} onChange={(e) => setTail(Number(e.target.value))} data-testid="log-tail">
              {TAILS.map((n) => (
                <option key={n} value={n}>
                  {n.toLocaleString()}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('logs.search')}>
          {(p) => <input {...p} type="search" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="log-search" />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          {t('logs.follow')}
        </label>
        <button type="button" onClick={() => (paused ? resume() : setPaused(true))} aria-pressed={paused}>
          {paused ? t('logs.resume', { n: heldCount }) : t('logs.pause')}
        </button>
        <button type="button" onClick={download} disabled={lines.length === 0}>
          {t('logs.download')}
        </button>
        <button type="button" onClick={() => setLines([])}>
          {t('logs.clear')}
        </button>
        <span className="muted" role="status" data-testid="log-count">
          {q ? t('logs.matches', { n: shown.length, total: lines.length }) : t('logs.lines', { n: lines.length })}
          {streaming ? ` · ${t('logs.streaming')}` : ''}
        </span>
      </div>
      <ErrorBanner message={error} />
      <VirtualList
        items={shown}
        rowHeight={20}
        height="28rem"
        follow={follow && !paused}
        onFollowChange={setFollow}
        label={t('tab.logs')}
        className="logview"
        render={(line) => <Highlight line={line} q={q} />}
      />
    </div>
  );
}

function Highlight({ line, q }: { line: string; q: string }) {
  if (!q) return <span>{line}</span>;
  const i = line.toLowerCase().indexOf(q.toLowerCase());
  if (i < 0) return <span>{line}</span>;
  return (
    <span>
      {line.slice(0, i)}
      <mark>{line.slice(i, i + q.length)}</mark>
      {line.slice(i + q.length)}
    </span>
  );
}

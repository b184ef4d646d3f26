// Live updates: one EventSource on GET /api/v1/watch?project= for the page's project. Each event bumps a
// counter per kind (and per app), which pages pass to useGet as keys; bursts (a rollout changes many
// instances) are coalesced into one reload per 250 ms. A broken stream resumes where it stopped; one that
// fell behind reconnects and reloads.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

export interface WatchTicks {
  all: number;
  byKind: Record<string, number>;
  connected: boolean;
}

const KINDS = ['project', 'environment', 'cluster', 'app', 'release', 'instance', 'config'];
const Ctx = createContext<WatchTicks>({ all: 0, byKind: {}, connected: false });

export function WatchProvider({ project, children }: { project: string | null; children: ReactNode }) {
  const [ticks, setTicks] = useState<WatchTicks>({ all: 0, byKind: {}, connected: false });
  const pending = useRef<Set<string>>(new Set());
  useEffect(() => {
    let source: EventSource | null = null;
    let flush: number | undefined;
    let retry: number | undefined;
    let closed = false;
    const schedule = () => {
      if (flush !== undefined) return;
      flush = window.setTimeout(() => {
        flush = undefined;
        const kinds = [...pending.current];
        pending.current.clear();
        setTicks((t) => {
          const byKind = { ...t.byKind };
          for (const k of kinds) byKind[k] = (byKind[k] ?? 0) + 1;
          return { all: t.all + 1, byKind, connected: true };
        });
      }, 250);
    };
    const connect = () => {
      if (closed) return;
      const url = '/api/v1/watch' + (project ? `?project=${encodeURIComponent(project)}` : '');
      source = new EventSource(url, { withCredentials: true });
      // The browser reconnects a broken stream by itself, sending the id of the last event it got; the
      // server then replays what was missed and says so in a "sync" event. Only a new stream, or one the
      // server could not resume, makes the pages load everything again.
      let lastId = '';
      let opened = false;
      const reloadAll = () => {
        KINDS.forEach((k) => pending.current.add(k));
        schedule();
      };
      source.onopen = () => {
        setTicks((t) => ({ ...t, connected: true }));
        if (!opened || !lastId) reloadAll();
        opened = true;
      };
      source.addEventListener('sync', (e) => {
        const { resumed } = JSON.parse((e as MessageEvent).data as string) as { resumed: boolean };
        if (!resumed) reloadAll();
      });
      const onEvent = (e: MessageEvent) => {
        lastId = e.lastEventId;
        pending.current.add(e.type);
        try {
          const ev = JSON.parse(e.data as string) as { kind: string; name?: string; object?: { app?: string; name?: string } };
          // Instance events are named "app/env/instance"; releases carry their app.
          const app = ev.kind === 'app' ? ev.name : ev.kind === 'instance' ? ev.name?.split('/')[0] : ev.object?.app;
          if (app) pending.current.add(`app:${app}`);
        } catch {
          /* a heartbeat or a partial event: the kind alone is enough */
        }
        schedule();
      };
      for (const k of KINDS) source.addEventListener(k, onEvent as EventListener);
      const reconnect = () => {
        source?.close();
        setTicks((t) => ({ ...t, connected: false }));
        if (!closed) retry = window.setTimeout(connect, 2000);
      };
      source.addEventListener('error', (e) => {
        // An "event: error" from the server (fell behind) or a broken connection.
        if ((e as MessageEvent).data !== undefined || source?.readyState === EventSource.CLOSED) reconnect();
        else setTicks((t) => ({ ...t, connected: false }));
      });
    };
    connect();
    return () => {
      closed = true;
      source?.close();
      window.clearTimeout(flush);
      window.clearTimeout(retry);
    };
  }, [project]);
  return <Ctx.Provider value={ticks}>{children}</Ctx.Provider>;
}

export function useWatch(): WatchTicks {
  return useContext(Ctx);
}

// The counter of one kind (or "app:NAME", or "all" for any change): a key for useGet.
export function useTick(kind: string): number {
  const ticks = useContext(Ctx);
  return kind === 'all' ? ticks.all : (ticks.byKind[kind] ?? 0);
}

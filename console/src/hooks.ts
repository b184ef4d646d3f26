// Data loading: a GET that reloads when its keys change (watch events bump them), keeping the previous
// answer on screen while the next one loads so live pages do not flicker.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get } from './api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function useGet<T>(path: string | null, ...keys: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [n, setN] = useState(0);
  const lastPath = useRef<string | null>(null);
  useEffect(() => {
    if (!path) return;
    if (lastPath.current !== path) setData(undefined);
    lastPath.current = path;
    const ctl = new AbortController();
    setLoading(true);
    get<T>(path, ctl.signal)
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, n, ...keys]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload };
}

// Runs an action, keeping its error (to show next to the field it names) and whether it is running.
export function useAction() {
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <R,>(fn: () => Promise<R>): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { error, busy, run, setError };
}

// Who is logged in: GET /api/v1/me at start; 401 anywhere shows the login page again. Permissions per
// project and environment come from /api/v1/me?project=&environment= so the console shows only the
// actions the caller's roles allow (the API refuses the others anyway).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, onUnauthorized, post, setCsrfToken, enc } from './api/client';
import type { Me } from './api/types';
import { useGet } from './hooks';

interface Session {
  me: Me | null | undefined; // undefined: still asking; null: not logged in
  refresh: () => Promise<void>;
  login: (username: string, password: string) => Promise<Me>;
  logout: () => Promise<void>;
}

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      setMe(await get<Me>('/api/v1/me'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else throw e;
    }
  }, []);
  useEffect(() => {
    refresh().catch(() => setMe(null));
    return onUnauthorized(() => setMe(null));
  }, [refresh]);
  const login = useCallback(async (username: string, password: string) => {
    const r = await post<{ csrfToken: string; mustChangePassword: boolean }>('/api/v1/login', { username, password });
    setCsrfToken(r.csrfToken);
    const m = await get<Me>('/api/v1/me');
    setMe(m);
    return m;
  }, []);
  const logout = useCallback(async () => {
    try {
      await post('/api/v1/logout');
    } finally {
      setCsrfToken(null);
      setMe(null);
    }
  }, []);
  return <Ctx.Provider value={{ me, refresh, login, logout }}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

// The caller's permissions in a project (and environment): a set to test actions against.
export function usePermissions(project?: string, env?: string): Set<string> {
  const q = project ? `?project=${enc(project)}${env ? `&environment=${enc(env)}` : ''}` : '';
  const { data } = useGet<Me>(`/api/v1/me${q}`);
  return new Set(data?.permissions ?? []);
}

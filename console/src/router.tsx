// A small history router: the console has a handful of URL shapes, not worth a dependency. Every page has a
// URL of its own, so reloads and shared links work (the server answers index.html for all of them).
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

// Matches "/projects/:project/apps/:app" against a path; the values are decoded.
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}

export const paths = {
  projects: () => '/',
  project: (p: string) => `/projects/${encodeURIComponent(p)}`,
  app: (p: string, a: string, e: string, tab = 'instances') =>
    `/projects/${encodeURIComponent(p)}/apps/${encodeURIComponent(a)}/environments/${encodeURIComponent(e)}/${tab}`,
  members: (p: string) => `/projects/${encodeURIComponent(p)}/members`,
  audit: (p: string) => `/projects/${encodeURIComponent(p)}/audit`,
  clusters: () => '/clusters',
  platformAudit: () => '/audit',
  users: () => '/users',
  roles: () => '/roles',
  account: () => '/account',
};

// The console is served by `wharf server` from the same origin as the API, so paths are absolute (/assets/)
// and the dev server proxies /api to a running server (WHARF_URL, default 127.0.0.1:7070).
import { defineConfig } from 'vite';

const target = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
  .WHARF_URL ?? 'http://127.0.0.1:7070';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    emptyOutDir: true,
  },
  server: { proxy: { '/api': { target, changeOrigin: false } } },
});

// The web client: a static single-page app that nginx serves at `/` and that talks
// only to the public API under /api/v1 on the same origin.
import { defineConfig, type Plugin } from 'vite';

// Only our own files may run or style the page, and it talks only to its own
// origin. Set in the page itself so that it holds whatever serves the files; the
// development server needs inline styles and a websocket, so builds only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const contentSecurityPolicy = (): Plugin => ({
  name: 'content-security-policy',
  apply: 'build',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
      injectTo: 'head-prepend',
    },
  ],
});

// The client takes the contract's types (erased) and its limits (plain numbers),
// never its schemas: a value import that would bring TypeBox into the bundle fails
// the build instead.
const withoutSchemas = (): Plugin => ({
  name: 'without-schemas',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === 'typebox' || source.startsWith('typebox/'))
      this.error(`${importer ?? 'the client'} imports ${source}: take types (import type) and limits only`);
    return null;
  },
});

export default defineConfig({
  // JSX through Vite's own transformer (no Babel): Preact's automatic runtime.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [contentSecurityPolicy(), withoutSchemas()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The whole client is one small bundle; warn if it stops being small.
    chunkSizeWarningLimit: 120,
  },
  server: {
    // `npm run dev -w services/web` against a running local cluster:
    // TICKETS_API=https://localhost:8443 (the gateway URL that `cluster up` prints).
    proxy: process.env.TICKETS_API
      ? { '/api': { target: process.env.TICKETS_API, changeOrigin: true, secure: false } }
      : {},
  },
});

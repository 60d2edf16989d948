/**
 * electron-vite: three bundles.
 *   out/main/index.js     Electron main (src/main) + out/main/utility.js, the server host
 *                         (src/server/entry/utility.ts) forked with utilityProcess.
 *   out/preload/index.cjs the sandboxed preload: one CommonJS file, no Node imports.
 *   out/renderer/         the React UI (also served by `dfs` at / as the web UI).
 * `npm run build:app` builds all three; `npm run build:web` only the renderer.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const __dirname = dirname(fileURLToPath(import.meta.url));

/** The dev server injects styles inline: drop the strict CSP meta tag while serving only. */
const devCsp = (): Plugin => ({
  name: 'dittofs-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/s, ''),
});

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Node modules (better-sqlite3, fastify, pino...) stay external: electron-builder ships them.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          utility: resolve(__dirname, 'src/server/entry/utility.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() anything but electron: bundle everything.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    base: './',
    plugins: [devCsp()],
    esbuild: { jsx: 'automatic' },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      // Served over the network in web mode: ship it small.
      minify: 'esbuild',
      rollupOptions: {
        input: resolve(__dirname, 'src/renderer/index.html'),
        onwarn(warning, warn) {
          // "use client" directives (react-query) and zod's comment annotations are harmless.
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'INVALID_ANNOTATION') return;
          warn(warning);
        },
      },
      chunkSizeWarningLimit: 1024,
    },
    server: {
      // `npm run dev:web` against a running `dfs` (API on 8080).
      proxy: { '/api': 'http://127.0.0.1:8080' },
    },
  },
});

/// <reference types="vitest/config" />
// Vite builds the single-page app; Vitest runs the Node unit tests from the same config.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { pyodideAssets } from './tools/vite-pyodide.ts';

export default defineConfig({
  plugins: [svelte(), pyodideAssets()],
  // Pyodide finds its own files from indexURL; pre-bundling it would break that
  optimizeDeps: { exclude: ['pyodide'] },
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: { main: 'index.html', lab: 'lab.html' } },
  },
  server: { port: 5173 },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});

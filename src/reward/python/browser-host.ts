// The Python checker's host in the browser: a module Web Worker, and Pyodide's files served by the app
// itself at <base>/pyodide/ (Vite copies them from node_modules/pyodide into the build; no CDN).
import { appAssetUrl } from '../../hub/app-url.ts';
import { webWorkerPort } from '../checker-pool/web-port.ts';
import type { PythonHost } from './protocol.ts';

export function browserHost(base = appAssetUrl('pyodide/')): PythonHost {
  return {
    init: async () => ({ indexURL: base }),
    spawn: () => webWorkerPort(new Worker(new URL('./checker.worker.ts', import.meta.url), { type: 'module' })),
  };
}

// The Python checker's host in the browser: a module Web Worker, and Pyodide's files served by the app
// itself at <base>/pyodide/ (Vite copies them from node_modules/pyodide into the build; no CDN).
import { appAssetUrl } from '../../hub/app-url.ts';
import type { PythonHost, PythonPort } from './slot.ts';
import type { PythonReply } from './protocol.ts';

export function browserHost(base = appAssetUrl('pyodide/')): PythonHost {
  return {
    indexURL: () => base,
    spawn(): PythonPort {
      const w = new Worker(new URL('./checker.worker.ts', import.meta.url), { type: 'module' });
      return {
        post: (m) => w.postMessage(m),
        listen(onMessage, onError) {
          w.addEventListener('message', (e: MessageEvent<PythonReply>) => onMessage(e.data));
          w.addEventListener('error', (e) => {
            e.preventDefault();
            onError(new Error(e.message || 'worker error'));
          });
        },
        terminate: () => w.terminate(),
      };
    },
  };
}

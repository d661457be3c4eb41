// Checker workers in the browser: a module Web Worker adapted to the port a slot uses. Each language creates
// its Worker itself (`new Worker(new URL('./checker.worker.ts', import.meta.url), ...)`, which Vite bundles).
import type { PoolReply, WorkerPort } from './protocol.ts';

export function webWorkerPort<I, J, E>(w: Worker): WorkerPort<I, J, E> {
  return {
    post: (m) => w.postMessage(m),
    listen(onMessage, onError) {
      w.addEventListener('message', (e: MessageEvent<PoolReply<E>>) => onMessage(e.data));
      w.addEventListener('error', (e) => {
        e.preventDefault();
        onError(new Error(e.message || 'worker error'));
      });
    },
    terminate: () => w.terminate(),
  };
}

// The app's environment worker: serves the registered environments to the training worker's
// WorkerEnvHost, which terminates this worker when a call overstays its deadline. An environment added
// to builtins.ts is served here too.
import './builtins.ts';
import { serveEnvironments } from './host-serve.ts';
import type { EnvReply, EnvRequest } from './host-protocol.ts';

const scope = self as unknown as {
  postMessage(m: EnvReply): void;
  addEventListener(t: 'message', fn: (e: MessageEvent<EnvRequest>) => void): void;
};
serveEnvironments({
  post: (m) => scope.postMessage(m),
  listen: (fn) => scope.addEventListener('message', (e) => fn(e.data)),
});

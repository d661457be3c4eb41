// The Python checker as a Web Worker (the app and the e2e lab page). See worker-core.ts.
import { pythonHandler } from './worker-core.ts';
import type { PythonReply, PythonRequest } from './protocol.ts';

const scope = self as unknown as {
  postMessage(m: PythonReply): void;
  onmessage: ((e: MessageEvent<PythonRequest>) => void) | null;
};
// taken before worker-core empties the scope (postMessage included) once Pyodide has loaded
const post = scope.postMessage.bind(scope);
const handle = pythonHandler((m) => post(m));
let queue = Promise.resolve();
scope.onmessage = (e) => (queue = queue.then(() => handle(e.data)));

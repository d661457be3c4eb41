// The Python checker as a Web Worker (the app and the e2e lab page). See worker-core.ts.
import { pythonHandler } from './worker-core.ts';
import type { PythonReply, PythonRequest } from './protocol.ts';

const scope = self as unknown as {
  postMessage(m: PythonReply): void;
  onmessage: ((e: MessageEvent<PythonRequest>) => void) | null;
};
// Both taken before worker-core locks the scope down (postMessage and onmessage deleted, everything frozen)
// once Pyodide has loaded: results go out only through this bound function, and each request is copied as
// it arrives, so no program can forge the one or change the other.
const post = scope.postMessage.bind(scope);
const copy = structuredClone;
const handle = pythonHandler((m) => post(m));
let queue = Promise.resolve();
scope.onmessage = (e) => {
  const m = copy(e.data);
  queue = queue.then(() => handle(m));
};

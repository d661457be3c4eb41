// The Python checker as a Node worker thread (tests and the CLI). See worker-core.ts.
import { parentPort } from 'node:worker_threads';
import { pythonHandler } from './worker-core.ts';
import type { PythonRequest } from './protocol.ts';

const port = parentPort!;
// bound before worker-core locks the scope down: results go out only through this function
const post = port.postMessage.bind(port);
const handle = pythonHandler((m) => post(m));
// checks run one at a time: the next message waits for the one before it
let queue = Promise.resolve();
port.on('message', (m: PythonRequest) => (queue = queue.then(() => handle(m))));

// The OCaml checker as a Node worker thread (tests and the CLI). See worker-core.ts.
import { parentPort } from 'node:worker_threads';
import { checkerHandler } from './worker-core.ts';
import type { CheckerRequest } from './protocol.ts';

const port = parentPort!;
const handle = checkerHandler((m) => port.postMessage(m));
port.on('message', (m: CheckerRequest) => handle(m));

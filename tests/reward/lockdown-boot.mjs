// A Node worker thread that runs the lock-down probe (src/lab/lockdown-probe.ts) and posts its outcomes.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const post = parentPort.postMessage.bind(parentPort);
const { probeLockedScope } = await tsImport('../../src/lab/lockdown-probe.ts', import.meta.url);
post(probeLockedScope());

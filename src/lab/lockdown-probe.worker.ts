// Runs the lock-down probe (lockdown-probe.ts) in a fresh Web Worker and posts its outcomes once.
import { probeLockedScope } from './lockdown-probe.ts';

const post = self.postMessage.bind(self);
post(probeLockedScope());

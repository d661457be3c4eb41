// The OCaml checker as a Web Worker (the app and the e2e lab page). See worker-core.ts.
import { checkerHandler } from './worker-core.ts';
import type { CheckerReply, CheckerRequest } from './protocol.ts';

const scope = self as unknown as {
  postMessage(m: CheckerReply): void;
  onmessage: ((e: MessageEvent<CheckerRequest>) => void) | null;
};
const handle = checkerHandler((m) => scope.postMessage(m));
scope.onmessage = (e) => handle(e.data);

// The environment worker's side: keeps the environments of one host by handle, runs the calls of each
// handle in the order they came (an async step finishes before the next one starts), checks and caps what
// they answer, and replies. The worker entries (env.worker.ts in the app, a worker thread in Node tests)
// import the environments they serve, then call `serveEnvironments`.
import { envDef } from './registry.ts';
import { checkObservation, checkStepResult } from './host.ts';
import type { EnvReply, EnvRequest } from './host-protocol.ts';
import type { Environment } from './types.ts';

export interface EnvPort {
  post(m: EnvReply): void;
  listen(onMessage: (m: EnvRequest) => void): void;
}

interface Slot {
  env: string;
  instance: Environment | null;
  max: number;
  chain: Promise<void>;
}

export function serveEnvironments(port: EnvPort): void {
  const slots = new Map<number, Slot>();
  const fail = (id: number, err: unknown) => {
    const x = err as Error;
    port.post({ kind: 'failed', id, error: { name: x?.name ?? 'Error', message: x?.message ?? String(err) } });
  };
  async function run(slot: Slot, m: Exclude<EnvRequest, { kind: 'close' }>): Promise<void> {
    try {
      if (m.kind === 'open') {
        slot.instance = envDef(m.env).create(m.options);
        const observation = checkObservation(m.env, await slot.instance.reset(m.seed), slot.max);
        port.post({ kind: 'opened', id: m.id, observation });
      } else {
        if (!slot.instance) throw new Error(`environment ${slot.env}: step before a successful reset`);
        const result = checkStepResult(slot.env, await slot.instance.step(m.action), slot.max);
        port.post({ kind: 'stepped', id: m.id, result });
      }
    } catch (err) {
      fail(m.id, err);
    }
  }
  port.listen((m) => {
    if (m.kind === 'close') return void slots.delete(m.handle);
    if (m.kind === 'open')
      slots.set(m.handle, { env: m.env, instance: null, max: m.maxObservationChars, chain: Promise.resolve() });
    const slot = slots.get(m.handle);
    if (!slot) return fail(m.id, new Error(`no environment with handle ${m.handle} in this worker`));
    slot.chain = slot.chain.then(() => run(slot, m));
  });
  port.post({ kind: 'ready' });
}

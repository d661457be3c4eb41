// The worker side of the protocol: checks each command against the state table (ACCEPTS in protocol.ts),
// routes it to a TrainerApi (the session) and posts its reply under the same id; forwards every event.
// The check and the call happen in one turn of the event loop, and every command that changes the state
// sets it before its first await, so two commands can never both pass (a double-clicked Train).
import {
  BusyError,
  COMMAND_NAMES,
  refusal,
  type RunState,
  toErrorInfo,
  type Command,
  type Reply,
  type TrainerApi,
  type WorkerMessage,
} from './protocol.ts';

export interface ServePort {
  postMessage(message: WorkerMessage): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
}

/** A TrainerApi that tells its state synchronously (the worker's session). */
export interface StatefulApi extends TrainerApi {
  currentState(): RunState;
}

export function serve(port: ServePort, api: StatefulApi): void {
  api.on((e) => port.postMessage(e));
  port.addEventListener('message', async (e) => {
    const cmd = e.data as Command;
    if (!COMMAND_NAMES.includes(cmd?.kind)) {
      port.postMessage({
        kind: 'reply',
        id: cmd?.id ?? -1,
        ok: false,
        error: {
          name: 'ProtocolError',
          message: `unknown command ${String(cmd?.kind)}; known: ${COMMAND_NAMES.join(', ')}`,
        },
      });
      return;
    }
    let reply: Reply;
    try {
      const refused = refusal(api.currentState(), cmd.kind);
      if (refused) throw new BusyError(refused);
      const fn = api[cmd.kind] as (...a: unknown[]) => Promise<unknown>;
      reply = { kind: 'reply', id: cmd.id, ok: true, result: await fn.apply(api, cmd.args ?? []) };
    } catch (err) {
      reply = { kind: 'reply', id: cmd.id, ok: false, error: toErrorInfo(err) };
    }
    port.postMessage(reply);
  });
  port.start?.();
}

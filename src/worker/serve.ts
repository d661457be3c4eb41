// The worker side of the protocol: routes each command to a TrainerApi (the session) and posts its reply
// under the same id; forwards every event. Nothing else lives here, so the session is testable in-process.
import {
  COMMAND_NAMES,
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

export function serve(port: ServePort, api: TrainerApi): void {
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
      const fn = api[cmd.kind] as (...a: unknown[]) => Promise<unknown>;
      reply = { kind: 'reply', id: cmd.id, ok: true, result: await fn.apply(api, cmd.args ?? []) };
    } catch (err) {
      reply = { kind: 'reply', id: cmd.id, ok: false, error: toErrorInfo(err) };
    }
    port.postMessage(reply);
  });
  port.start?.();
}

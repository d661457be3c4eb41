// The session's state table (protocol.ts) and serve()'s one check of it: every command is refused in a
// state that does not accept it, with a typed error that says why; two commands sent in the same turn
// (a double-click) cannot both pass, because a command that changes the state sets it before its
// first await. A fake session stands in for the real one: no tensors.
import { describe, it, expect } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import {
  ACCEPTS,
  COMMAND_NAMES,
  ENTERS,
  accepts,
  refusal,
  type RunState,
  type RunStatus,
  type TrainerApi,
} from '../../src/worker/protocol.ts';
import { serve, type ServePort, type StatefulApi } from '../../src/worker/serve.ts';
import { TrainerClient, type Port } from '../../src/worker/client.ts';

const STATES = Object.keys(ACCEPTS) as RunState[];

describe('the state table', () => {
  it('has the ten states, and only known commands', () => {
    expect(STATES.sort()).toEqual(
      ['done', 'error', 'evaluating', 'idle', 'loading', 'paused', 'pausing', 'running', 'starting', 'stopping'].sort(),
    );
    for (const s of STATES) for (const c of ACCEPTS[s]) expect(COMMAND_NAMES).toContain(c);
  });

  it('a state entered by a command never accepts that command again (no double start, pause, stop...)', () => {
    for (const [cmd, entered] of Object.entries(ENTERS)) expect(accepts(entered!, cmd as never), cmd).toBe(false);
  });

  it('queries and exports are always accepted; training commands only where they make sense', () => {
    for (const s of STATES)
      for (const c of ['status', 'listRuns', 'runHistory', 'exportAdapter'] as const) expect(accepts(s, c)).toBe(true);
    expect(STATES.filter((s) => accepts(s, 'start')).sort()).toEqual(['done', 'error', 'idle', 'paused']);
    expect(STATES.filter((s) => accepts(s, 'pause'))).toEqual(['running']);
    expect(STATES.filter((s) => accepts(s, 'resume'))).toEqual(['paused']);
    expect(STATES.filter((s) => accepts(s, 'stop')).sort()).toEqual(['paused', 'pausing', 'running']);
    // an imported adapter is evaluated beside a paused run, never while a step or a start is under way
    expect(STATES.filter((s) => accepts(s, 'evaluateModel')).sort()).toEqual(['done', 'error', 'idle', 'paused']);
  });

  it('a refusal says why and when the command would be accepted', () => {
    expect(refusal('starting', 'start')).toBe(
      'cannot start now: a run is starting. start is possible when the session is idle, paused, done, error.',
    );
    expect(refusal('evaluating', 'resume')).toMatch(/^cannot resume now: an evaluation is running\. .*paused/);
    expect(refusal('running', 'pause')).toBeNull();
  });
});

/** A session whose start takes until `release()`, and sets `starting` first, as the real one does. */
function fakeSession() {
  let state: RunState = 'idle';
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const status = (): RunStatus => ({ state, runId: 'r', step: 0, totalSteps: 1 });
  const api = {
    currentState: () => state,
    on: () => () => undefined,
    status: async () => status(),
    start: async () => {
      state = 'starting';
      await gate;
      state = 'running';
      return status();
    },
  } as unknown as StatefulApi & TrainerApi;
  const { port1, port2 } = new MessageChannel();
  serve(port1 as unknown as ServePort, api);
  const client = new TrainerClient(port2 as unknown as Port);
  return { client, release, close: () => (port1.close(), port2.close()) };
}

describe('serve() checks every command against the table', () => {
  it('two starts sent at once: the first runs, the second is refused with "a run is starting"', async () => {
    const { client, release, close } = fakeSession();
    const first = client.start({});
    const second = client.start({});
    await expect(second).rejects.toMatchObject({
      name: 'BusyError',
      message: expect.stringMatching(/a run is starting/),
    });
    release();
    expect((await first).state).toBe('running');
    await expect(client.start({})).rejects.toMatchObject({
      name: 'BusyError',
      message: expect.stringMatching(/a run is training/),
    });
    expect((await client.status()).state).toBe('running');
    close();
  });
});

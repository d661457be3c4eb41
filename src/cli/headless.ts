// The app's trainer driven from Node: a headless Chromium page on the built lab page, whose functions
// (src/lab/entries/run.ts) start and control a run in the app's own Web Worker. Events stream back
// through an exposed function. Hub models come from HF_ENDPOINT (default https://huggingface.co), with
// HF_TOKEN for gated or private ones, as in Hugging Face's own tools.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureBuilt, findChromium, serveStatic } from './browser.ts';
import type { RunConfig } from '../engine/config.ts';
import { PageError, fromPlaywright } from './page-error.ts';
import { UsageError } from './args.ts';
import { hubFromEnv } from './hub-env.ts';
import type { RunStatus, TrainerEvent, CommandName } from '../worker/protocol.ts';
import type { SpeedReport } from '../worker/speed.ts';

/** A PEFT adapter folder read in Node: its config, and its weights as base64. */
export interface WireAdapter {
  config: Record<string, unknown>;
  weights: string;
}

/** As the page reads it: weights marked '__b64__' (src/lab/entries/run.ts). */
export const toWire = (a: WireAdapter) => ({ config: a.config, weights: '__b64__' + a.weights });

/** A PEFT adapter folder's two files, or a UsageError saying what the folder lacks. */
export function readAdapter(dir: string, flag = '--adapter'): WireAdapter {
  const c = path.join(dir, 'adapter_config.json'),
    w = path.join(dir, 'adapter_model.safetensors');
  if (!fs.existsSync(c) || !fs.existsSync(w))
    throw new UsageError(
      `${flag} ${dir}: expected adapter_config.json and adapter_model.safetensors (a PEFT adapter folder)`,
    );
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(c, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: adapter_config.json is not valid JSON (${(e as Error).message})`);
  }
  return { config, weights: fs.readFileSync(w).toString('base64') };
}

export class PageCrashError extends Error {
  readonly name = 'PageCrashError';
}

export interface HeadlessPage {
  baseUrl: string;
  /** The local model folder served as `${baseUrl}/local-model`, if any. */
  modelDir?: string;
  onEvent(cb: (e: TrainerEvent) => void): void;
  /** `adapter`: a PEFT folder's files read by readAdapter (eval.ts), the run's starting adapter. */
  startRun(config: RunConfig, resumeRunId: string | null, adapter?: WireAdapter | null): Promise<RunStatus>;
  /** The worker's speed probe for this config's model (probeSpeed), before the run starts. */
  probeSpeed(config: RunConfig): Promise<SpeedReport | null>;
  /** Calls a trainer method in the page; Uint8Array results come back as base64 strings. */
  call<T = unknown>(method: CommandName, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

export async function openHeadless(o: {
  profileDir: string;
  headed: boolean;
  modelDir?: string;
}): Promise<HeadlessPage> {
  const dist = ensureBuilt((m) => process.stderr.write(`${m}\n`));
  const port = savedPort(o.profileDir);
  const server = await serveStatic(dist, o.modelDir ? { 'local-model': o.modelDir } : {}, port).catch((e: Error) => {
    if (e.name === 'PortInUseError')
      e.message += ` (this run's checkpoints are stored for http://localhost:${port}, so it must be served there again)`;
    throw e;
  });
  rememberPort(o.profileDir, server.url);
  let ctx: BrowserContext | null = null;
  try {
    // the CLI handles Ctrl-C itself (finish the step, save); Playwright must not kill the browser first
    ctx = await chromium.launchPersistentContext(o.profileDir, {
      executablePath: findChromium(),
      headless: !o.headed,
      args: CHROMIUM_ARGS,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    return await attach(page, ctx, server, o.modelDir);
  } catch (e) {
    await ctx?.close().catch(() => undefined);
    await server.close();
    throw e;
  }
}

// IndexedDB (where checkpoints live) belongs to an origin, port included: a profile is always served on
// the port it was first served on, so a resumed run finds its checkpoints.
const PORT_FILE = 'webgrpo-origin-port';

function savedPort(profileDir: string): number {
  const file = path.join(profileDir, PORT_FILE);
  return fs.existsSync(file) ? Number.parseInt(fs.readFileSync(file, 'utf8'), 10) || 0 : 0;
}

function rememberPort(profileDir: string, url: string): void {
  fs.mkdirSync(profileDir, { recursive: true });
  fs.writeFileSync(path.join(profileDir, PORT_FILE), new URL(url).port);
}

async function attach(
  page: Page,
  ctx: BrowserContext,
  server: { url: string; close: () => Promise<void> },
  modelDir?: string,
): Promise<HeadlessPage> {
  const listeners: ((e: TrainerEvent) => void)[] = [];
  const emit = (e: TrainerEvent) => listeners.forEach((l) => l(e));
  await page.exposeFunction('webgrpoEvent', (e: TrainerEvent) => emit(e));
  page.on('crash', () =>
    emit({
      kind: 'error',
      error: {
        name: 'PageCrashError',
        message: 'the browser page crashed (often: out of GPU memory); try a smaller model or micro_batch_size',
      },
    }),
  );
  page.on('pageerror', (err) => {
    if (process.env.WEBGRPO_DEBUG) process.stderr.write(`[page] ${err.message}\n`);
  });
  if (process.env.WEBGRPO_DEBUG) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  try {
    await page.goto(`${server.url}/lab.html`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  } catch (e) {
    throw fromPlaywright(e);
  }
  const lab = async <T>(fn: string, ...args: unknown[]): Promise<T> => {
    // errors thrown in the page come back as data, so the terminal gets their class and message only
    let r: { ok: true; value: unknown } | { ok: false; name: string; message: string };
    try {
      r = await page.evaluate(
        async ([f, a]) => {
          const l = (globalThis as unknown as { webgrpoLab: Record<string, (...x: unknown[]) => unknown> }).webgrpoLab;
          try {
            return { ok: true as const, value: await l[f as string](...(a as unknown[])) };
          } catch (e) {
            const err = e as { name?: unknown; message?: unknown } | null;
            return { ok: false as const, name: String(err?.name ?? 'Error'), message: String(err?.message ?? e) };
          }
        },
        [fn, args] as const,
      );
    } catch (e) {
      throw fromPlaywright(e);
    }
    if (!r.ok) throw new PageError(r.name, r.message);
    return r.value as T;
  };
  // a local folder reaches the page as a URL of this server
  const served = (config: RunConfig) =>
    modelDir ? { ...config, model: { ...config.model, id: `${server.url}/local-model` } } : config;
  await lab('headlessCall', 'setHub', [hubFromEnv()]); // models and datasets from HF_ENDPOINT, with HF_TOKEN
  return {
    baseUrl: server.url,
    modelDir,
    onEvent: (cb) => {
      listeners.push(cb);
    },
    startRun: (config, resumeRunId, adapter = null) =>
      lab<RunStatus>('headlessStart', served(config), resumeRunId, adapter && toWire(adapter)),
    probeSpeed: (config) => lab<SpeedReport | null>('headlessCall', 'probeSpeed', [served(config)]),
    call: (method, ...args) => lab('headlessCall', method, args),
    close: async () => {
      await ctx.close().catch(() => undefined);
      await server.close();
    },
  };
}

export { hubFromEnv };

// Peak memory of Chromium's processes while the app loads a model from a Hub endpoint: the app's own
// worker (the lab page's headless client, as `webgrpo train` drives it) loads `--id` with `--weight-dtype`,
// and the resident memory (VmRSS from /proc) of every Chromium process started here is sampled every
// `--interval` ms, summed per process type (renderer: the page and its workers; gpu-process: where
// WebGPU's buffers live; browser; the rest). Prints JSON: the peak of each type during the load, its value
// once the load is done (the steady state), and the load's time. Linux only (/proc).
//
//   npx tsx tests/hub/hub-server.ts --port 4212 &        # the Qwen2.5-0.5B-shaped model on a local Hub
//   npx tsx tools/load-memory.ts --endpoint http://127.0.0.1:4212 --weight-dtype stored [--dist dist]
//
// --dist serves another build of the app (e.g. one made from an older commit, to compare); by default
// the current tree's, built when out of date. Each run starts from an empty browser profile, so the model
// is downloaded (and written to Cache Storage); --cached loads it once first, then measures a second
// load, from the cache, in a new page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureBuilt, findChromium, serveStatic } from '../src/cli/browser.ts';

const GIB = 2 ** 30;

/** Chromium's processes: every descendant of this process, by the --type of its command line. */
function chromiumProcesses(): Map<number, string> {
  const parent = new Map<number, number>(),
    kind = new Map<number, string>();
  for (const d of fs.readdirSync('/proc')) {
    const pid = Number(d);
    if (!pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      kind.set(pid, /--type=([\w-]+)/.exec(cmd)?.[1] ?? (/chrom/i.test(cmd) ? 'browser' : 'other'));
    } catch {
      // the process ended meanwhile
    }
  }
  const mine = new Map<number, string>();
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p))
      if (p === process.pid) {
        mine.set(pid, kind.get(pid)!);
        break;
      }
  }
  return mine;
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the RSS of Chromium's processes per type until stopped; peak and last sample of each. */
function sampler(intervalMs: number) {
  const peak: Record<string, number> = {},
    last: Record<string, number> = {};
  let procs = chromiumProcesses(),
    n = 0;
  const tick = () => {
    if (n++ % 10 === 0) procs = chromiumProcesses(); // new processes (the GPU process starts late)
    const sum: Record<string, number> = { total: 0 };
    for (const [pid, kind] of procs) {
      const b = rssBytes(pid);
      sum[kind] = (sum[kind] ?? 0) + b;
      sum.total += b;
    }
    for (const [k, v] of Object.entries(sum)) {
      peak[k] = Math.max(peak[k] ?? 0, v);
      last[k] = v;
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    reset: () => {
      for (const k of Object.keys(peak)) peak[k] = last[k];
    },
    stop: () => (tick(), clearInterval(timer), { peak: { ...peak }, last: { ...last } }),
  };
}

async function labCall(page: Page, fn: string, ...args: unknown[]): Promise<unknown> {
  const r = await page.evaluate(
    async ([f, a]) => {
      const lab = (globalThis as unknown as { webgrpoLab: Record<string, (...x: unknown[]) => Promise<unknown>> })
        .webgrpoLab;
      try {
        return { ok: true, value: await lab[f as string](...(a as unknown[])) };
      } catch (e) {
        return { ok: false, value: `${(e as Error).name}: ${(e as Error).message}` };
      }
    },
    [fn, args] as const,
  );
  if (!r.ok) throw new Error(String(r.value));
  return r.value;
}

async function openLab(ctx: import('playwright-core').BrowserContext, url: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${url}/lab.html`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 120_000 });
  return page;
}

const round = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round((v / GIB) * 100) / 100]));

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      endpoint: { type: 'string' },
      id: { type: 'string', default: 'Qwen/Qwen2.5-0.5B-Instruct' },
      'weight-dtype': { type: 'string', default: 'stored' },
      dist: { type: 'string' },
      cached: { type: 'boolean', default: false },
      interval: { type: 'string', default: '100' },
      settle: { type: 'string', default: '3000' },
    },
  });
  if (!v.endpoint) throw new Error('--endpoint is required: the Hub to load from (tests/hub/hub-server.ts serves one)');
  const dist = v.dist ? path.resolve(v.dist) : ensureBuilt((m) => process.stderr.write(`${m}\n`));
  const server = await serveStatic(dist);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-load-memory-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const model = { id: v.id, revision: 'main', weight_dtype: v['weight-dtype'] };
  try {
    if (v.cached) {
      const first = await openLab(ctx, server.url);
      await labCall(first, 'headlessCall', 'setHub', [{ endpoint: v.endpoint }]);
      await labCall(first, 'headlessCall', 'loadModel', [model]);
      await first.close();
    }
    const page = await openLab(ctx, server.url);
    await labCall(page, 'headlessCall', 'setHub', [{ endpoint: v.endpoint }]);
    await new Promise((r) => setTimeout(r, Number(v.settle)));
    const s = sampler(Number(v.interval));
    const before = s.stop();
    const during = sampler(Number(v.interval));
    const t0 = Date.now();
    await labCall(page, 'headlessCall', 'loadModel', [model]);
    const seconds = (Date.now() - t0) / 1000;
    const load = during.stop();
    const after = sampler(Number(v.interval));
    await new Promise((r) => setTimeout(r, Number(v.settle)));
    const settled = after.stop();
    const out = {
      model: v.id,
      weight_dtype: v['weight-dtype'],
      from: v.cached ? 'cache' : 'download',
      dist,
      load_seconds: seconds,
      interval_ms: Number(v.interval),
      gib_before_load: round(before.last),
      gib_peak_during_load: round(load.peak),
      gib_after_load: round(settled.last),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await ctx.close().catch(() => undefined);
    await server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

await main();

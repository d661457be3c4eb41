// Lab functions for the data and reward screens: mount their components into the lab page on demand (so
// e2e tests drive them as a user would), and probe the reward worker and the custom-reward sandbox.
import { mount } from 'svelte';
import { parseRunConfig } from '../../engine/config.ts';
import DatasetPicker from '../../ui/data/DatasetPicker.svelte';
import RewardList from '../../ui/data/RewardList.svelte';
import CustomCodeConfirm from '../../ui/data/CustomCodeConfirm.svelte';
import { RunScorer } from '../../reward/scorer.ts';
import { WorkerRewardRunner } from '../../reward/runner.ts';

function host(id: string): HTMLElement {
  document.getElementById(id)?.remove();
  const el = document.createElement('div');
  el.id = id;
  document.body.append(el);
  return el;
}

/** Mounts the dataset picker for a default run config (data section overridden by `data`). */
export function mountDatasetPicker(data: Record<string, unknown> = {}): void {
  mount(DatasetPicker, { target: host('lab-dataset-picker'), props: { data: parseRunConfig({ data }).data } });
}

export function mountRewardList(rewards: unknown[] = [{ name: 'math' }, { name: 'format', weight: 0.1 }]): void {
  mount(RewardList, { target: host('lab-reward-list'), props: { rewards: parseRunConfig({ rewards }).rewards } });
}

/** Shows the confirmation for a link's custom code; resolves with the user's choice. */
export function confirmCustomCode(codes: string[]): Promise<'accept' | 'decline'> {
  return new Promise((resolve) => {
    const target = host('lab-custom-code');
    mount(CustomCodeConfirm, {
      target,
      props: {
        codes,
        onaccept: () => {
          target.remove();
          resolve('accept');
        },
        ondecline: () => {
          target.remove();
          resolve('decline');
        },
      },
    });
  });
}

/** Runs pieces of custom reward code one after the other in one reward worker (the app's path), each
 *  with the given time limit; returns each result or error and how long the call took. */
export async function customRewardProbe(
  codes: string[],
  completion: string,
  timeoutMs = 2000,
): Promise<{ result?: unknown; error?: string; ms: number }[]> {
  const runner = WorkerRewardRunner.create();
  const sample = { prompt: 'What is 6 * 7?', completion, completionIds: [1], row: {}, finishReason: 'stop' as const };
  const out: { result?: unknown; error?: string; ms: number }[] = [];
  try {
    for (const code of codes) {
      const t0 = performance.now();
      try {
        const result = await runner.call('custom', sample, { code, timeout_ms: timeoutMs }, timeoutMs);
        out.push({ result, ms: performance.now() - t0 });
      } catch (e) {
        out.push({ error: `${(e as Error).name}: ${(e as Error).message}`, ms: performance.now() - t0 });
      }
    }
    return out;
  } finally {
    runner.dispose();
  }
}

/** Scores completions through the reward worker with the given rewards; returns scores and counters. */
export async function rewardWorkerProbe(
  rewards: unknown[],
  completions: string[],
  answer: string,
): Promise<{ scores: (number | null)[][]; counters: Record<string, number> }> {
  const config = parseRunConfig({ rewards });
  const scorer = RunScorer.fromConfig(config, WorkerRewardRunner.create());
  try {
    const t = await scorer.score(
      completions.map((completion) => ({
        prompt: '',
        completion,
        completionIds: [1],
        row: { answer },
        finishReason: 'stop' as const,
      })),
    );
    return { scores: t.scores, counters: scorer.counters() };
  } finally {
    scorer.dispose();
  }
}

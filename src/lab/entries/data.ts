// Lab functions for the data and reward screens: mount their components into the lab page on demand (so
// e2e tests drive them as a user would), and probe the reward worker and the custom-reward sandbox.
import { mount } from 'svelte';
import { parseRunConfig } from '../../engine/config.ts';
import DatasetPicker from '../../ui/data/DatasetPicker.svelte';
import RewardList from '../../ui/data/RewardList.svelte';
import CustomCodeConfirm from '../../ui/data/CustomCodeConfirm.svelte';
import { CustomSandbox } from '../../reward/custom.ts';
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

/** Runs custom reward code in its sandbox; returns the result or the error message. */
export async function customRewardProbe(
  code: string,
  completion: string,
  timeoutMs = 2000,
): Promise<{ result?: unknown; error?: string }> {
  let box: CustomSandbox | null = null;
  try {
    box = new CustomSandbox(code, timeoutMs);
    return {
      result: await box.score({ prompt: '', completion, completionIds: [], row: {}, finishReason: 'stop' }, {}),
    };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  } finally {
    box?.dispose();
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

// The reward screen's state: the run's reward list (name, weight, options) and the "try it" box, which
// scores a completion with every reward in the reward worker and shows the breakdown.
//
//   const rs = new RewardsState(config.rewards); rs.completion = '\\boxed{18}'; rs.row = { answer: '18' }
//   await rs.tryIt()   // rs.lines: [{ name: 'math', weight: 1, score: 1, details: {...} }], rs.total
import type { RunConfig } from '../../engine/config.ts';
import { RewardSpecSchema } from '../../worker/shared.ts';
import { rewardDefs } from '../../reward/registry.ts';
import { RunScorer, weightedTotal, type RewardLine } from '../../reward/scorer.ts';
import { WorkerRewardRunner, type RewardRunner } from '../../reward/runner.ts';

export type RewardSpec = RunConfig['rewards'][number];

export class RewardsState {
  specs = $state<RewardSpec[]>([]);
  completion = $state('');
  row = $state<Record<string, unknown>>({ answer: '' });
  lines = $state<RewardLine[]>([]);
  total = $state<number | null>(null);
  problem = $state<string | null>(null);
  busy = $state(false);
  private runner: RewardRunner | null = null;

  constructor(
    specs: RewardSpec[],
    private readonly makeRunner: () => RewardRunner = () => WorkerRewardRunner.create(),
  ) {
    this.specs = specs;
  }

  available(): { name: string; description: string }[] {
    return rewardDefs().map((d) => ({ name: d.name, description: d.description }));
  }

  add(name: string): void {
    const def = rewardDefs().find((d) => d.name === name);
    this.specs.push(RewardSpecSchema.parse({ name, weight: 1, options: { ...(def?.defaults ?? {}) } }));
  }

  remove(i: number): void {
    this.specs.splice(i, 1);
  }

  async tryIt(): Promise<void> {
    this.busy = true;
    this.problem = null;
    try {
      this.runner ??= this.makeRunner();
      const scorer = new RunScorer($state.snapshot(this.specs) as RewardSpec[], this.runner);
      const completion = this.completion;
      // no tokenizer here: the length that the overlong reward reads is counted in characters
      const completionIds = Array.from(completion, (c) => c.codePointAt(0) ?? 0);
      this.lines = await scorer.breakdown({
        prompt: '',
        completion,
        completionIds,
        row: $state.snapshot(this.row),
        finishReason: 'stop',
      });
      this.total = weightedTotal(this.lines);
    } catch (e) {
      this.problem = `${(e as Error).name}: ${(e as Error).message}`;
    } finally {
      this.busy = false;
    }
  }
}

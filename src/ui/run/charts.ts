// The Run screen's charts: which metrics (TRL's names) each one plots, each series in words, the axis title
// and a line on how to read it. Reward and accuracy are the headline; the rest are diagnostics.
export interface ChartSpec {
  /** Short id (the chart's test id), kept stable as titles change. */
  id: string;
  title: string;
  keys: string[];
  labels: string[];
  yLabel: string;
  help: string;
  /** Shown only once the run logs the first key: the metrics of one advantage estimator (VinePPO, PPO). */
  whenLogged?: boolean;
}

/** One chart: its series as [TRL key, words] pairs. */
function chart(
  id: string,
  title: string,
  yLabel: string,
  series: [key: string, label: string][],
  help: string,
  whenLogged = false,
): ChartSpec {
  return { id, title, yLabel, keys: series.map((s) => s[0]), labels: series.map((s) => s[1]), help, whenLogged };
}

/** The diagnostics, in the order shown; the estimators' own come last and only when their run logs them. */
export const CHARTS: ChartSpec[] = [
  chart(
    'loss',
    'Training loss',
    'loss',
    [['loss', 'loss']],
    'The GRPO loss; it hovers near zero by design, watch the reward instead.',
  ),
  chart(
    'kl',
    'Distance from the starting model',
    'KL (nats/token)',
    [['kl', 'KL divergence']],
    'How far the policy has moved from the model without the adapter (k3 estimate; 0 when beta is 0).',
  ),
  chart(
    'entropy',
    'Uncertainty of the answers',
    'nats/token',
    [['entropy', 'entropy']],
    'Uncertainty of the sampled tokens; a collapse towards 0 means the model stopped exploring.',
  ),
  chart(
    'grad norm',
    'Size of the update',
    'norm',
    [['grad_norm', 'gradient norm']],
    'Size of the gradient before clipping to max_grad_norm.',
  ),
  chart(
    'learning rate',
    'Learning rate',
    'rate',
    [['learning_rate', 'learning rate']],
    'After warm-up and the schedule.',
  ),
  chart(
    'length',
    'Answer length',
    'tokens',
    [
      ['completions/mean_length', 'mean'],
      ['completions/min_length', 'shortest'],
      ['completions/max_length', 'longest'],
    ],
    'Completion tokens: mean, shortest and longest of the step.',
  ),
  chart(
    'truncated',
    'Answers cut off',
    'share',
    [['completions/clipped_ratio', 'share cut']],
    'Share of completions cut by max_completion_length.',
  ),
  chart(
    'clipping',
    'Tokens at the clipping limit',
    'share of tokens',
    [
      ['clip_ratio/low_mean', 'below'],
      ['clip_ratio/high_mean', 'above'],
      ['clip_ratio/region_mean', 'either'],
    ],
    'Share of tokens whose probability ratio hit the clipping range (below, above, either).',
  ),
  chart(
    'zero-std groups',
    'Groups that teach nothing',
    'share',
    [['frac_reward_zero_std', 'share of groups']],
    'Groups where every completion got the same reward: their advantages are 0.',
  ),
  chart(
    'tokens per second',
    'Speed',
    'tokens/s',
    [
      ['tokens_per_second/sample', 'sampling'],
      ['tokens_per_second/train', 'training'],
    ],
    'Tokens per second while sampling and while training.',
  ),
  chart(
    'gradient variance',
    'Steadiness of the gradient',
    'variance',
    [['grad_variance', 'gradient variance']],
    'Spread of the policy gradient between micro-batches (0 with one micro-batch); lower means steadier updates, the measure estimators are compared by.',
  ),
  chart(
    'Monte Carlo values',
    'Values of reasoning steps (VinePPO)',
    'value',
    [
      ['mc_values/mean', 'mean'],
      ['mc_values/std', 'spread'],
    ],
    'VinePPO: mean and spread of the step values estimated from fresh rollouts.',
    true,
  ),
  chart(
    'step advantages',
    'Advantages of reasoning steps (VinePPO)',
    'advantage',
    [
      ['step_advantages/mean', 'mean'],
      ['step_advantages/std', 'spread'],
    ],
    'VinePPO: advantages of the reasoning steps; a wide spread means credit differs within completions.',
    true,
  ),
  chart(
    'value loss',
    'Error of the value head (PPO)',
    'squared error',
    [['value_loss', 'value loss']],
    'PPO: squared error of the value head against the GAE returns.',
    true,
  ),
  chart(
    'explained variance',
    'What the value head predicts (PPO)',
    'share',
    [['explained_variance', 'explained variance']],
    "PPO: share of the returns' variance the value head predicts (1 perfect, 0 no better than a constant, below 0 worse).",
    true,
  ),
];

/** Histograms of the latest step, keyed by the name in StepMetrics.histograms; `whenLogged` as for charts. */
export const HISTOGRAMS: { key: string; title: string; xLabel: string; whenLogged?: boolean }[] = [
  { key: 'advantages', title: 'Advantages', xLabel: 'advantage' },
  { key: 'rewards', title: 'Rewards', xLabel: 'reward' },
  { key: 'step_values', title: 'step values (VinePPO)', xLabel: 'value', whenLogged: true },
  { key: 'step_advantages', title: 'step advantages (VinePPO)', xLabel: 'advantage', whenLogged: true },
  { key: 'values', title: 'token values (PPO)', xLabel: 'value', whenLogged: true },
];

/** The charts and histograms to show for the latest step's metrics (an estimator's own once it logs them). */
export function shownDiagnostics(
  latest:
    | {
        values: Record<string, number>;
        histograms?: Record<string, number[]>;
      }
    | null
    | undefined,
): { charts: ChartSpec[]; histograms: typeof HISTOGRAMS } {
  return {
    charts: CHARTS.filter((c) => !c.whenLogged || (latest && Number.isFinite(latest.values[c.keys[0]]))),
    histograms: HISTOGRAMS.filter((h) => !h.whenLogged || latest?.histograms?.[h.key]?.length),
  };
}

/**
 * The reward chart's series: the weighted reward, and each reward function's mean only when there are
 * several or weighted (with one reward of weight 1 the two are the same line).
 */
export function rewardSeries(rewards: { name: string; weight: number; weight_end?: number | null }[]): {
  keys: string[];
  labels: string[];
} {
  const names = [...new Set(rewards.map((r) => r.name))];
  const same = rewards.length <= 1 && (rewards[0]?.weight ?? 1) === 1 && (rewards[0]?.weight_end ?? null) === null;
  if (same) return { keys: ['reward'], labels: ['mean reward'] };
  return {
    keys: ['reward', ...names.map((n) => `rewards/${n}/mean`)],
    labels: ['weighted total', ...names.map((n) => n)],
  };
}

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
}

export const CHARTS: ChartSpec[] = [
  {
    id: 'loss',
    title: 'Training loss',
    keys: ['loss'],
    labels: ['loss'],
    yLabel: 'loss',
    help: 'The GRPO loss; it hovers near zero by design, watch the reward instead.',
  },
  {
    id: 'kl',
    title: 'Distance from the starting model',
    keys: ['kl'],
    labels: ['KL divergence'],
    yLabel: 'KL (nats/token)',
    help: 'How far the policy has moved from the model without the adapter (k3 estimate; 0 when beta is 0).',
  },
  {
    id: 'entropy',
    title: 'Uncertainty of the answers',
    keys: ['entropy'],
    labels: ['entropy'],
    yLabel: 'nats/token',
    help: 'Uncertainty of the sampled tokens; a collapse towards 0 means the model stopped exploring.',
  },
  {
    id: 'grad norm',
    title: 'Size of the update',
    keys: ['grad_norm'],
    labels: ['gradient norm'],
    yLabel: 'norm',
    help: 'Size of the gradient before clipping to max_grad_norm.',
  },
  {
    id: 'learning rate',
    title: 'Learning rate',
    keys: ['learning_rate'],
    labels: ['learning rate'],
    yLabel: 'rate',
    help: 'After warm-up and the schedule.',
  },
  {
    id: 'length',
    title: 'Answer length',
    keys: ['completions/mean_length', 'completions/min_length', 'completions/max_length'],
    labels: ['mean', 'shortest', 'longest'],
    yLabel: 'tokens',
    help: 'Completion tokens: mean, shortest and longest of the step.',
  },
  {
    id: 'truncated',
    title: 'Answers cut off',
    keys: ['completions/clipped_ratio'],
    labels: ['share cut'],
    yLabel: 'share',
    help: 'Share of completions cut by max_completion_length.',
  },
  {
    id: 'clipping',
    title: 'Tokens at the clipping limit',
    keys: ['clip_ratio/low_mean', 'clip_ratio/high_mean', 'clip_ratio/region_mean'],
    labels: ['below', 'above', 'either'],
    yLabel: 'share of tokens',
    help: 'Share of tokens whose probability ratio hit the clipping range (below, above, either).',
  },
  {
    id: 'zero-std groups',
    title: 'Groups that teach nothing',
    keys: ['frac_reward_zero_std'],
    labels: ['share of groups'],
    yLabel: 'share',
    help: 'Groups where every completion got the same reward: their advantages are 0.',
  },
  {
    id: 'tokens per second',
    title: 'Speed',
    keys: ['tokens_per_second/sample', 'tokens_per_second/train'],
    labels: ['sampling', 'training'],
    yLabel: 'tokens/s',
    help: 'Tokens per second while sampling and while training.',
  },
  {
    id: 'gradient variance',
    title: 'Steadiness of the gradient',
    keys: ['grad_variance'],
    labels: ['gradient variance'],
    yLabel: 'variance',
    help: 'Spread of the policy gradient between micro-batches (0 with one micro-batch); lower means steadier updates, the measure estimators are compared by.',
  },
];

/** Charts of one advantage estimator, shown only when the run logs their metrics. */
export const ESTIMATOR_CHARTS: ChartSpec[] = [
  {
    id: 'Monte Carlo values',
    title: 'Values of reasoning steps (VinePPO)',
    keys: ['mc_values/mean', 'mc_values/std'],
    labels: ['mean', 'spread'],
    yLabel: 'value',
    help: 'VinePPO: mean and spread of the step values estimated from fresh rollouts.',
  },
  {
    id: 'step advantages',
    title: 'Advantages of reasoning steps (VinePPO)',
    keys: ['step_advantages/mean', 'step_advantages/std'],
    labels: ['mean', 'spread'],
    yLabel: 'advantage',
    help: 'VinePPO: advantages of the reasoning steps; a wide spread means credit differs within completions.',
  },
  {
    id: 'value loss',
    title: 'Error of the value head (PPO)',
    keys: ['value_loss'],
    labels: ['value loss'],
    yLabel: 'squared error',
    help: 'PPO: squared error of the value head against the GAE returns.',
  },
  {
    id: 'explained variance',
    title: 'What the value head predicts (PPO)',
    keys: ['explained_variance'],
    labels: ['explained variance'],
    yLabel: 'share',
    help: "PPO: share of the returns' variance the value head predicts (1 perfect, 0 no better than a constant, below 0 worse).",
  },
];

/** Histograms of one advantage estimator, keyed by the name in StepMetrics.histograms. */
export const ESTIMATOR_HISTOGRAMS: { key: string; title: string }[] = [
  { key: 'step_values', title: 'step values (VinePPO)' },
  { key: 'step_advantages', title: 'step advantages (VinePPO)' },
  { key: 'values', title: 'token values (PPO)' },
];

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

// The Run screen's charts: which metrics (TRL's names) each one plots, and a line on how to read it.
export interface ChartSpec {
  title: string;
  keys: string[];
  help: string;
}

export const CHARTS: ChartSpec[] = [
  { title: 'loss', keys: ['loss'], help: 'The GRPO loss; it hovers near zero by design, watch the reward instead.' },
  {
    title: 'kl',
    keys: ['kl'],
    help: 'How far the policy has moved from the model without the adapter (k3 estimate; 0 when beta is 0).',
  },
  {
    title: 'entropy',
    keys: ['entropy'],
    help: 'Uncertainty of the sampled tokens; a collapse towards 0 means the model stopped exploring.',
  },
  { title: 'grad norm', keys: ['grad_norm'], help: 'Size of the gradient before clipping to max_grad_norm.' },
  { title: 'learning rate', keys: ['learning_rate'], help: 'After warm-up and the schedule.' },
  {
    title: 'length',
    keys: ['completions/mean_length', 'completions/min_length', 'completions/max_length'],
    help: 'Completion tokens: mean, shortest and longest of the step.',
  },
  {
    title: 'truncated',
    keys: ['completions/clipped_ratio'],
    help: 'Share of completions cut by max_completion_length.',
  },
  {
    title: 'clipping',
    keys: ['clip_ratio/low_mean', 'clip_ratio/high_mean', 'clip_ratio/region_mean'],
    help: 'Share of tokens whose probability ratio hit the clipping range (below, above, either).',
  },
  {
    title: 'zero-std groups',
    keys: ['frac_reward_zero_std'],
    help: 'Groups where every completion got the same reward: they teach nothing.',
  },
  {
    title: 'tokens per second',
    keys: ['tokens_per_second/sample', 'tokens_per_second/train'],
    help: 'Speed of sampling and of training.',
  },
  {
    title: 'gradient variance',
    keys: ['grad_variance'],
    help: 'Spread of the policy gradient between micro-batches (0 with one micro-batch); lower means steadier updates, the measure estimators are compared by.',
  },
];

/** Charts of one advantage estimator, shown only when the run logs their metrics. */
export const ESTIMATOR_CHARTS: ChartSpec[] = [
  {
    title: 'Monte Carlo values',
    keys: ['mc_values/mean', 'mc_values/std'],
    help: 'VinePPO: mean and spread of the step values estimated from fresh rollouts.',
  },
  {
    title: 'step advantages',
    keys: ['step_advantages/mean', 'step_advantages/std'],
    help: 'VinePPO: advantages of the reasoning steps; a wide spread means credit differs within completions.',
  },
  { title: 'value loss', keys: ['value_loss'], help: 'PPO: squared error of the value head against the GAE returns.' },
  {
    title: 'explained variance',
    keys: ['explained_variance'],
    help: "PPO: share of the returns' variance the value head predicts (1 perfect, 0 no better than a constant, below 0 worse).",
  },
];

/** Histograms of one advantage estimator, keyed by the name in StepMetrics.histograms. */
export const ESTIMATOR_HISTOGRAMS: { key: string; title: string }[] = [
  { key: 'step_values', title: 'step values (VinePPO)' },
  { key: 'step_advantages', title: 'step advantages (VinePPO)' },
  { key: 'values', title: 'token values (PPO)' },
];

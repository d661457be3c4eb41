// The Run screen's charts: which metrics (TRL's names) each one plots, and a line on how to read it.
export interface ChartSpec { title: string; keys: string[]; help: string }

export const CHARTS: ChartSpec[] = [
  { title: 'loss', keys: ['loss'], help: 'The GRPO loss; it hovers near zero by design, watch the reward instead.' },
  { title: 'kl', keys: ['kl'], help: 'How far the policy has moved from the model without the adapter (k3 estimate; 0 when beta is 0).' },
  { title: 'entropy', keys: ['entropy'], help: 'Uncertainty of the sampled tokens; a collapse towards 0 means the model stopped exploring.' },
  { title: 'grad norm', keys: ['grad_norm'], help: 'Size of the gradient before clipping to max_grad_norm.' },
  { title: 'learning rate', keys: ['learning_rate'], help: 'After warm-up and the schedule.' },
  { title: 'length', keys: ['completions/mean_length', 'completions/min_length', 'completions/max_length'], help: 'Completion tokens: mean, shortest and longest of the step.' },
  { title: 'truncated', keys: ['completions/clipped_ratio'], help: 'Share of completions cut by max_completion_length.' },
  { title: 'clipping', keys: ['clip_ratio/low_mean', 'clip_ratio/high_mean', 'clip_ratio/region_mean'], help: 'Share of tokens whose probability ratio hit the clipping range (below, above, either).' },
  { title: 'zero-std groups', keys: ['frac_reward_zero_std'], help: 'Groups where every completion got the same reward: they teach nothing.' },
  { title: 'tokens per second', keys: ['tokens_per_second/sample', 'tokens_per_second/train'], help: 'Speed of sampling and of training.' },
];

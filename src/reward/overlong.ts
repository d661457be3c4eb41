// DAPO's soft overlong punishment (Yu et al. 2025, eq. 13), as a reward to add with a weight:
//
//   0                             when L <= L_max - L_cache
//   ((L_max - L_cache) - L) / L_cache   when L_max - L_cache < L <= L_max   (linear from 0 down to -1)
//   -1                            when L > L_max
//
// L is the completion length in tokens. Options: max_length (L_max; the registry fills in the run's
// max_completion_length when unset) and cache_length (L_cache, default a quarter of L_max).
import type { RewardFn } from './types.ts';

export class OverlongOptionError extends Error {
  readonly name = 'OverlongOptionError';
}

export function overlongPenalty(length: number, maxLength: number, cacheLength: number): number {
  if (!(maxLength > 0) || !(cacheLength >= 0) || cacheLength > maxLength) {
    throw new OverlongOptionError(
      `overlong reward needs 0 <= cache_length (${cacheLength}) <= max_length (${maxLength}) and max_length > 0`,
    );
  }
  const start = maxLength - cacheLength;
  if (length <= start) return 0;
  if (length > maxLength) return -1;
  return (start - length) / cacheLength;
}

export const overlongReward: RewardFn = (sample, options) => {
  const max = options.max_length;
  if (typeof max !== 'number')
    throw new OverlongOptionError(
      "overlong reward needs a numeric option max_length (the run's max_completion_length)",
    );
  const cache = typeof options.cache_length === 'number' ? options.cache_length : Math.floor(max / 4);
  const length = sample.completionIds.length;
  return { score: overlongPenalty(length, max, cache), details: { length, max_length: max, cache_length: cache } };
};

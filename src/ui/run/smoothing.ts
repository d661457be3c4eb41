// Smoothing of a chart's series, as the exponential moving average of W&B's charts: each point is the
// weighted mean of the points so far, weights falling by `weight` per step back, debiased so the first
// points are not pulled towards 0. Gaps (null) stay gaps and do not restart the average.
//
//   smoothSeries([1, 3, null, 2], 0.6) // [1, 2.25, null, ...]

/** The smoothed series; `weight` 0 returns the values unchanged, 0.99 nearly the running mean. */
export function smoothSeries(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (!(weight > 0)) return [...values];
  const w = Math.min(weight, 0.999);
  let sum = 0; // the exponentially weighted sum of the values so far
  let norm = 0; // the sum of their weights, so sum / norm is a mean whatever the number of points
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    sum = sum * w + (1 - w) * v;
    norm = norm * w + (1 - w);
    return sum / norm;
  });
}

// Generalised advantage estimation (Schulman et al. 2016) over the tokens of one completion, as in PPO
// for language models (TRL's PPOTrainer): each token is an action, the state before token t has value
// V_t, the sequence reward arrives with the last token and the state after it is worth 0.
//
//   delta_t = r_t + gamma * V_{t+1} - V_t            (V_C = 0)
//   A_t     = delta_t + gamma * lam * A_{t+1}         returns R_t = A_t + V_t (the value head's target)
//
//   const { advantages, returns } = gae(terminalRewards(1, 4), [0.2, 0.4, 0.5, 0.9], 1, 0.95)
//
// Departure from TRL: no per-token KL penalty in the rewards (the KL to the reference lives in the loss
// with `beta`, as for the other estimators).

export class GaeShapeError extends Error {
  readonly name = 'GaeShapeError';
}

/** Per-token rewards [C]: 0 everywhere but the sequence reward on the last token. */
export function terminalRewards(reward: number, length: number): number[] {
  return Array.from({ length }, (_, t) => (t === length - 1 ? reward : 0));
}

/** Advantages and returns [C] of one completion's C tokens; values[t] is V of the state before token t. */
export function gae(
  rewards: number[],
  values: number[],
  gamma: number,
  lam: number,
): { advantages: number[]; returns: number[] } {
  if (rewards.length !== values.length)
    throw new GaeShapeError(
      `gae: ${rewards.length} rewards but ${values.length} values; give one value per completion token`,
    );
  const C = rewards.length,
    advantages = new Array<number>(C).fill(0);
  let next = 0,
    nextValue = 0; // A_{t+1} and V_{t+1}, 0 past the end
  for (let t = C - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * nextValue - values[t];
    next = delta + gamma * lam * next;
    advantages[t] = next;
    nextValue = values[t];
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}

/**
 * GAE over the model's own tokens only (mask 1), for multi-turn episodes: environment and template tokens
 * (mask 0) are not actions, so the trajectory skips them and the value after a model turn is that of the
 * model's next token. Skipped positions get advantage 0 and return = value (they are out of both losses).
 * Without a mask, plain `gae`.
 */
export function maskedGae(
  rewards: number[],
  values: number[],
  mask: number[] | undefined,
  gamma: number,
  lam: number,
): { advantages: number[]; returns: number[] } {
  if (!mask) return gae(rewards, values, gamma, lam);
  const at = mask.flatMap((m, t) => (m ? [t] : []));
  const sub = gae(
    at.map((t) => rewards[t]),
    at.map((t) => values[t]),
    gamma,
    lam,
  );
  const advantages = values.map(() => 0),
    returns = [...values];
  at.forEach((t, j) => {
    advantages[t] = sub.advantages[j];
    returns[t] = sub.returns[j];
  });
  return { advantages, returns };
}

/** Whitening over every counted token of the batch (mean 0, std 1), as TRL's PPO does; rows [N][C_i]. */
export function whiten(rows: number[][], counts: (boolean | number[])[]): number[][] {
  const on = (i: number, t: number) => (typeof counts[i] === 'boolean' ? counts[i] : counts[i][t] === 1);
  const xs = rows.flatMap((r, i) => r.filter((_, t) => on(i, t)));
  if (xs.length < 2) return rows.map((r) => r.map(() => 0));
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  const s = Math.sqrt(v) + 1e-8;
  return rows.map((r) => r.map((x) => (x - m) / s));
}

/** 1 - Var(target - prediction) / Var(target): 1 is a perfect value function, 0 no better than a constant. */
export function explainedVariance(pred: number[], target: number[]): number {
  const n = target.length;
  if (n < 2) return 0;
  const variance = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
  };
  const vt = variance(target);
  return vt > 0 ? 1 - variance(target.map((y, i) => y - pred[i])) / vt : 0;
}

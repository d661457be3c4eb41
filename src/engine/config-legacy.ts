// Configs saved by earlier versions (checkpoints, links) read with the meaning they had when saved.
/**
 * Configs saved before the schedules took transformers' names (checkpoints, links) carry
 * optim.min_lr_rate, and their `constant` schedule had a warm-up: they are read with their old meaning.
 */
export function upgradeLegacyConfig(input: unknown): unknown {
  const optim = (input as { optim?: Record<string, unknown> } | null)?.optim;
  if (!optim || typeof optim !== 'object' || !('min_lr_rate' in optim)) return input;
  const { min_lr_rate: floor, ...rest } = optim;
  const type = rest.lr_scheduler_type ?? 'constant';
  const warm = typeof rest.warmup_ratio === 'number' && rest.warmup_ratio > 0;
  if (type === 'constant' && warm) rest.lr_scheduler_type = 'constant_with_warmup';
  if (type === 'cosine' && typeof floor === 'number' && floor > 0) {
    rest.lr_scheduler_type = 'cosine_with_min_lr';
    rest.lr_scheduler_kwargs = { min_lr_rate: floor };
  } else if (typeof floor === 'number' && floor > 0) rest.min_lr_rate = floor; // refused below, by name
  return { ...(input as object), optim: rest };
}

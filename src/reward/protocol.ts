// Messages between a reward client and the reward worker: one request kind, two replies, all with the id
// of the call they answer.
import type { RewardResult, RewardSample } from './types.ts';

export type RewardRequest = {
  kind: 'score';
  id: number;
  name: string;
  sample: RewardSample;
  options: Record<string, unknown>;
};

export type RewardReply =
  | { kind: 'scored'; id: number; result: RewardResult }
  | { kind: 'failed'; id: number; error: { name: string; message: string } };

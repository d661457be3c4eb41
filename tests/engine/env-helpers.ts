// A toy environment and chat template on token ids for rollout tests on the tiny fixture models (whose
// "text" is one character per id, as trainer-helpers' codec): the environment asks for digits, and each
// turn's reward is the fraction of the action's characters that are digits, so returns differ between
// episodes of one group and a tiny model can be trained on them.
import type { ChatTurns, EnvRunDeps } from '../../src/engine/env-rollout.ts';
import type { EnvDef, Environment } from '../../src/env/types.ts';
import { parseRunConfig, type RunConfig } from '../../src/engine/config.ts';

export const SYS = 250,
  USER = 251,
  ASSISTANT = 252,
  EOS = 2;

/** Text as ids 100..199 (a lossy but fixed mapping: only what the template puts in matters). */
export const encodeText = (s: string) => [...s].map((c) => 100 + (c.charCodeAt(0) % 100));

export const toyChat: ChatTurns = {
  start: (system, user) => [SYS, ...encodeText(system), USER, ...encodeText(user), ASSISTANT],
  next: (user, endId) => [...(endId === null ? [EOS] : []), USER, ...encodeText(user), ASSISTANT],
};

/** "digits": reward per turn = fraction of digit characters in the action; done after 3 turns or on "9". */
export function digitsEnv(o: { fail_on?: string } = {}): Environment {
  let turn = 0;
  return {
    reset: (seed) => `start at ${seed % 10}`,
    step(action) {
      if (o.fail_on && action.includes(o.fail_on)) throw new Error('the world broke');
      turn += 1;
      const chars = [...action];
      const reward = chars.length ? chars.filter((c) => c >= '0' && c <= '9').length / chars.length : 0;
      const done = turn >= 3 || action.includes('9');
      return { observation: `turn ${turn} scored ${reward.toFixed(2)}`, reward, done, success: action.includes('9') };
    },
  };
}

export const digitsDef: EnvDef = {
  name: 'digits',
  description: 'say digits',
  instructions: 'say digits',
  defaultMaxTurns: 4,
  defaults: {},
  create: (o) => digitsEnv(o as { fail_on?: string }),
};

export const toyEnvs = (defs: EnvDef[] = [digitsDef]): EnvRunDeps => ({
  defs: Object.fromEntries(defs.map((d) => [d.name, d])),
  chat: toyChat,
});

export function envConfig(over: Record<string, any> = {}): RunConfig {
  const base: Record<string, any> = {
    lora: { r: 8, alpha: 16 },
    sampling: { num_generations: 4, max_completion_length: 96, max_prompt_length: 64 },
    grpo: { loss_type: 'dapo' },
    optim: { learning_rate: 0.05, max_grad_norm: 1 },
    run: { max_steps: 2, prompts_per_step: 2, micro_batch_size: 4, eval_examples: 4, save_steps: 0, seed: 3 },
    environment: { envs: [{ name: 'digits' }], max_turns: 3, max_turn_tokens: 4, eval_episodes: 2 },
  };
  for (const [k, v] of Object.entries(over))
    base[k] = typeof v === 'object' && !Array.isArray(v) ? { ...base[k], ...v } : v;
  return parseRunConfig(base);
}

// The contract of a multi-turn text environment. The model acts (one assistant message per turn), the
// environment answers (one user message per turn), until the episode is done or the turn limit is hit.
// Environments are DOM-free and run in the training worker (and in Node for tests and the CLI).
//
//   const env = envDef('grid_world').create({ size: 5 })
//   let obs = await env.reset(seed)                      // first observation: the task and what the agent sees
//   const r = await env.step('go north')                 // { observation, reward, done, success }
//
// Deadlines and determinism: each reset and step must answer within environment.step_timeout_ms, or the
// episode ends as a failure (EnvTimeoutError); observations longer than environment.max_observation_chars
// are cut. The same seed and the same actions must give the same episode: the app runs environments in a
// worker of their own and, when it has to replace a stuck one, rebuilds the other live episodes by replaying
// their seeds and actions (src/env/host-worker.ts).
//
// Rewards: each step's `reward` is that turn's step reward; when an episode ends, the step that ends it
// carries the completion reward too (success or not). The episode's return is the sum of its step rewards.

/** What one action does to the world. */
export interface EnvStepResult {
  /** The environment's answer, shown to the model as the next user message (empty when done). */
  observation: string;
  /** This turn's reward (step reward, plus the completion reward on the turn that ends the episode). */
  reward: number;
  /** True when the episode is over (goal reached or failed for good); the turn limit is the rollout's. */
  done: boolean;
  /** True once the goal is reached; success rate and accuracy are computed from it. */
  success: boolean;
}

/** One episode's world. A fresh instance per episode; `reset` must be called before `step`. */
export interface Environment {
  /** Starts an episode from a seed (same seed, same episode) and returns the first observation. */
  reset(seed: number): Promise<string> | string;
  /** Applies one action (the model's whole turn, as text) and returns the result. */
  step(action: string): Promise<EnvStepResult> | EnvStepResult;
  /** Optional: frees what the episode holds; called once the episode is over. */
  close?(): void;
}

/** A registered environment kind (same registry pattern as rewards). */
export interface EnvDef {
  name: string;
  /** One line for the app's environment list. */
  description: string;
  /** System prompt that explains the action language to the model. */
  instructions: string;
  /** Turn limit used when the config does not give one. */
  defaultMaxTurns: number;
  /** Default options (shown in the app); `create` validates what it is given and throws a typed error. */
  defaults: Record<string, unknown>;
  create(options: Record<string, unknown>): Environment;
}

/** One played episode, as the rollout records it and evaluation aggregates it. */
export interface EpisodeRecord {
  env: string;
  seed: number;
  /** Per-turn rewards, [turns]. */
  rewards: number[];
  /** Sum of `rewards`. */
  return: number;
  success: boolean;
  turns: number;
  /** Why it ended: the environment said done, the turn limit, the token budget, or the environment threw (a failure). */
  end: 'done' | 'max_turns' | 'length' | 'error';
}

/** Per-environment evaluation figures (and the same shape for the aggregate over environments). */
export interface EnvEvalStats {
  env: string;
  n: number; // episodes
  accuracy: number; // fraction of successful episodes (= success rate; both names are reported)
  success_rate: number;
  mean: number; // of episode returns
  std: number;
  median: number;
  interval: [number, number]; // Jeffreys 80% interval of the success rate
}

/** What evaluation on environments reports: one row per environment plus aggregates weighted by episodes. */
export interface EnvEvalSummary {
  per_env: EnvEvalStats[];
  /** Over all episodes of all environments (each environment weighted by its episode count). */
  aggregate: EnvEvalStats;
}

// The Config tab's list of problems in words: each problem of the schema's check with the name of its
// field as the form labels it ("Reward 1 (math): Tolerance"), the field's path, and the message.
//
//   problemList(cs.problems, cs.config)   // [{ path: 'grpo.epsilon_high', label: 'Clip range above', message }]
import type { RunConfig } from '../../engine/config.ts';
import { placeOf } from './layout.ts';
import { optionLabel } from '../data/reward-options.ts';

export interface ProblemLine {
  path: string;
  label: string;
  message: string;
}

export function problemLabel(path: string, c: RunConfig): string {
  const m = /^rewards\.(\d+)(?:\.(.+))?$/.exec(path);
  if (m) {
    const i = Number(m[1]),
      rest = m[2] ?? '';
    const who = `Reward ${i + 1}${c.rewards[i] ? ` (${c.rewards[i].name})` : ''}`;
    if (!rest) return who;
    const opt = /^options\.([^.]+)/.exec(rest);
    return `${who}: ${opt ? optionLabel(opt[1]) : (placeOf(`rewards.${rest}`)?.label ?? rest)}`;
  }
  if (path === 'rewards') return 'Rewards';
  return placeOf(path)?.label ?? path;
}

export function problemList(problems: Record<string, string>, c: RunConfig): ProblemLine[] {
  return Object.entries(problems).map(([path, message]) => ({ path, label: problemLabel(path, c), message }));
}

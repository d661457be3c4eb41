// The math500 preset end to end without the network: rows shaped like HuggingFaceH4/MATH-500 (problem,
// answer; a test split only) become math-boxed prompts, 100 are held out, and the run's scorer grades
// completions against LaTeX golds by meaning.
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/engine/presets.ts';
import { prepareRunInputs, type PromptTokenizer } from '../../src/data/prepare.ts';

const tok: PromptTokenizer = {
  encode: (t) => [...t].map((c) => c.charCodeAt(0)),
  eosIds: [0],
  chatTemplate: null,
  applyChatTemplate: (m) => m.map((x) => x.content).join('\n'),
};

const GOLDS = ['\\left( 3, \\frac{\\pi}{2} \\right)', '[0, 1)', '\\{-12, -11, -10\\}', '\\frac{\\sqrt{3}}{2}', '14'];
const rows = Array.from({ length: 500 }, (_, i) => ({
  problem: `Problem ${i}: compute it.`,
  answer: GOLDS[i % GOLDS.length],
  subject: 'Algebra',
}));

describe('math500 preset', () => {
  it('prompts in the math-boxed template, holds out 100 problems, and grades LaTeX golds by meaning', async () => {
    const config = presetConfig('math500');
    expect(config.grpo).toMatchObject({ advantage_estimator: 'vineppo', vineppo_k: 9, beta: 1e-4 });
    expect(config.sampling).toMatchObject({ num_generations: 8, temperature: 0.6, max_completion_length: 1024 });
    const inputs = await prepareRunInputs(config, tok, {
      provided: { 'HuggingFaceH4/MATH-500': async () => ({ train: rows, test: null }) },
    });
    try {
      expect(inputs.evalSet).toHaveLength(100);
      const e = inputs.evalSet.find((x) => x.row.answer === '[0, 1)')!;
      expect(e.prompt).toMatch(
        /^Problem \d+: compute it\.\nPlease reason step by step, and put your final answer within/,
      );
      const sample = (completion: string) => ({
        prompt: e.prompt,
        completion,
        completionIds: [1],
        row: e.row,
        finishReason: 'stop' as const,
      });
      const t = await inputs.score([sample('So x is in \\boxed{\\left[0, 1\\right)}.'), sample('\\boxed{(0, 1)}')]);
      expect(t.scores).toEqual([[1], [0]]);
    } finally {
      inputs.dispose();
    }
  });
});

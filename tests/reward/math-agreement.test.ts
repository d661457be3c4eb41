// The grader against GSM8K's graded model solutions: 1,319 test questions x 4 GPT-3 solutions, each
// judged by the dataset's authors. The grader must agree with is_correct on at least 99.5% of them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeMath } from '../../src/reward/math.ts';

const FILE = process.env.WEBGRPO_GSM8K_SOLUTIONS ?? path.resolve(__dirname, '../../../shared/datasets/gsm8k/example_model_solutions.jsonl');
const MODELS = ['6b_finetuning', '6b_verification', '175b_finetuning', '175b_verification'];

describe('math grader vs GSM8K graded solutions', () => {
  it('agrees with the authors on >= 99.5% of 5,276 solutions', () => {
    if (!fs.existsSync(FILE)) throw new Error(`${FILE} not found: put the shared datasets beside the project or set WEBGRPO_GSM8K_SOLUTIONS`);
    const rows = fs.readFileSync(FILE, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    let agree = 0, total = 0;
    const disagreements: string[] = [];
    for (const r of rows) {
      for (const m of MODELS) {
        const { solution, is_correct: isCorrect } = r[m];
        const v = gradeMath(solution, r.ground_truth);
        total++;
        if ((v.score === 1) === isCorrect) agree++;
        else disagreements.push(`  ${m}: authors ${isCorrect}, grader ${v.score} (${v.rule}: ${JSON.stringify(v.extracted)} vs gold ${v.gold}: ${v.reason})`);
      }
    }
    console.log(`math grader agreement: ${agree}/${total} = ${(100 * agree / total).toFixed(2)}%; ${disagreements.length} disagreements${disagreements.length ? `:\n${disagreements.join('\n')}` : ''}`);
    expect(total).toBe(5276);
    expect(agree / total).toBeGreaterThanOrEqual(0.995);
  });
});

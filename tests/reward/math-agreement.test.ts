// The grader against GSM8K's graded model solutions: 1,319 test questions x 4 GPT-3 solutions, each
// judged by the dataset's authors. The grader must agree with is_correct on at least 99.5% of them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeMath } from '../../src/reward/math.ts';
import { boxedSolution, cleanSolution } from '../../src/data/template.ts';

const FILE =
  process.env.WEBGRPO_GSM8K_SOLUTIONS ?? path.resolve(__dirname, '../../fixtures/gsm8k/example_model_solutions.jsonl');
const TRAIN = path.join(path.dirname(FILE), 'train.jsonl');
const MODELS = ['6b_finetuning', '6b_verification', '175b_finetuning', '175b_verification'];

describe('math grader vs GSM8K graded solutions', () => {
  it('agrees with the authors on >= 99.5% of 5,276 solutions', () => {
    if (!fs.existsSync(FILE))
      throw new Error(`${FILE} not found: the repository's fixtures/gsm8k is missing (or set WEBGRPO_GSM8K_SOLUTIONS)`);
    const rows = fs
      .readFileSync(FILE, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
    let agree = 0,
      total = 0;
    const disagreements: string[] = [];
    for (const r of rows) {
      for (const m of MODELS) {
        const { solution, is_correct: isCorrect } = r[m];
        const v = gradeMath(solution, r.ground_truth);
        total++;
        if ((v.score === 1) === isCorrect) agree++;
        else
          disagreements.push(
            `  ${m}: authors ${isCorrect}, grader ${v.score} (${v.rule}: ${JSON.stringify(v.extracted)} vs gold ${v.gold}: ${v.reason})`,
          );
      }
    }
    console.log(
      `math grader agreement: ${agree}/${total} = ${((100 * agree) / total).toFixed(2)}%; ${disagreements.length} disagreements${disagreements.length ? `:\n${disagreements.join('\n')}` : ''}`,
    );
    expect(total).toBe(5276);
    expect(agree / total).toBeGreaterThanOrEqual(0.995);
  });

  it('reads every GSM8K reference solution as right against its gold, in #### and \\boxed{} form, and as wrong against another', () => {
    if (!fs.existsSync(TRAIN)) throw new Error(`${TRAIN} not found: the repository's fixtures/gsm8k is missing`);
    const rows = fs
      .readFileSync(TRAIN, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
    const gold = (a: string) => a.split('####')[1].trim();
    let hash = 0,
      boxed = 0,
      wronglyAccepted = 0;
    rows.forEach((r, i) => {
      hash += gradeMath(cleanSolution(r.answer), r.answer).score;
      boxed += gradeMath(boxedSolution(r.answer), r.answer).score;
      const other = rows[(i + 1) % rows.length].answer;
      if (gold(other) !== gold(r.answer)) wronglyAccepted += gradeMath(cleanSolution(r.answer), other).score;
    });
    expect({ hash, boxed, wronglyAccepted }).toEqual({ hash: rows.length, boxed: rows.length, wronglyAccepted: 0 });
  });
});

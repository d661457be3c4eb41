// Built-in datasets, templates, the seeded cursor (epochs, exact resume), splits and run preparation.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/engine/config.ts';
import { arithmeticSplits, arithmeticRows } from '../../src/data/arithmetic.ts';
import { builtinDatasets, holdOut, loadDataset } from '../../src/data/datasets.ts';
import { ShuffleCursor, CursorMismatchError } from '../../src/data/cursor.ts';
import { renderPrompt, renderChatTemplate, boxedSolution, cleanSolution } from '../../src/data/template.ts';
import { prepareRunData, prepareRunInputs, FieldMappingError, type PromptTokenizer } from '../../src/data/prepare.ts';
import { gradeMath } from '../../src/reward/math.ts';

/** Characters as ids, like the demo model's tokenizer; no chat template. */
const charTok: PromptTokenizer = {
  encode: (t) => [...t].map((c) => c.charCodeAt(0)),
  eosIds: [0],
  chatTemplate: null,
  applyChatTemplate: (m) => m.map((x) => x.content).join('\n'),
};
const CHATML =
  '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

describe('built-in datasets', () => {
  it('demo-arithmetic: short, seeded, correct answers, evaluation drawn with another seed', () => {
    const rows = arithmeticRows(200, 5);
    expect(rows).toEqual(arithmeticRows(200, 5));
    for (const r of rows) {
      const [, a, op, b] = /^What is (\d+) ([+-]) (\d+)\?$/.exec(r.question as string)!;
      expect(Number(r.answer)).toBe(op === '+' ? Number(a) + Number(b) : Number(a) - Number(b));
      expect(Number(r.answer)).toBeGreaterThanOrEqual(0);
    }
    const s = arithmeticSplits();
    expect(s.train).toHaveLength(4000);
    expect(s.test).toHaveLength(500);
    expect(s.test).not.toEqual(s.train.slice(0, 500)); // another seed, same distribution
    expect(new Set(s.train.map((r) => r.question)).size).toBeGreaterThan(1000);
  });
  it('sloppy arithmetic for the demo model: negateRate writes that share of answers with the wrong sign', () => {
    const sloppy = arithmeticRows(2000, 1, { negateRate: 0.65 });
    expect(sloppy).toEqual(arithmeticRows(2000, 1, { negateRate: 0.65 }));
    let negated = 0;
    for (const r of sloppy) {
      const [, a, op, b] = /^What is (\d+) ([+-]) (\d+)\?$/.exec(r.question as string)!;
      const right = op === '+' ? Number(a) + Number(b) : Number(a) - Number(b);
      expect(Math.abs(Number(r.answer))).toBe(right);
      if (Number(r.answer) < 0) negated++;
    }
    expect(negated / 2000).toBeGreaterThan(0.6);
    expect(negated / 2000).toBeLessThan(0.7);
  });
  it('a dataset the caller provides by name comes before the built-in ones', async () => {
    const own = { train: [{ question: 'q', answer: '1' }], test: null };
    expect(
      await loadDataset(parseRunConfig({ data: { dataset: 'mine' } }).data, { provided: { mine: async () => own } }),
    ).toBe(own);
  });
  it('gsm8k-sample ships 200 + 200 rows whose answers the math grader reads', async () => {
    const s = await loadDataset(parseRunConfig({ data: { dataset: 'gsm8k-sample' } }).data);
    expect(s.train).toHaveLength(200);
    expect(s.test).toHaveLength(200);
    expect(gradeMath('The answer is 72.', s.train[0].answer as string).score).toBe(1);
  });
  it('ocaml: the shipped problems, with tests, split for evaluation', async () => {
    const s = await loadDataset(
      parseRunConfig({ data: { dataset: 'ocaml', prompt_field: 'prompt', answer_field: 'solution' } }).data,
    );
    expect(s.train.length + s.test!.length).toBeGreaterThanOrEqual(40);
    expect(s.test!.length).toBeGreaterThan(5);
    expect(s.train[0]).toMatchObject({
      prompt: expect.any(String),
      tests: expect.any(Array),
      solution: expect.any(String),
    });
  });
  it('ksat rows carry their formula', async () => {
    const ksat = builtinDatasets().find((d) => d.name === 'ksat')!;
    const s = await ksat.load();
    expect(s.train.length).toBe(1000);
    expect(s.train[0]).toMatchObject({
      question: expect.stringMatching(/-SAT formula:\n\(/),
      answer: expect.stringMatching(/^x1=(True|False)/),
    });
  });
  it('names the datasets it knows when one is missing', async () => {
    await expect(
      loadDataset(parseRunConfig({ data: { dataset: 'nope' } }).data, { uploaded: async () => null }),
    ).rejects.toThrow(/demo-arithmetic, gsm8k-sample, ksat/);
  });
});

describe('templates', () => {
  it('plain is the question and a line break; few-shot examples come first', () => {
    expect(renderPrompt('plain', { system: '', fewShot: [], question: 'What is 2 + 3?' })).toBe('What is 2 + 3?\n');
    expect(
      renderPrompt('plain', {
        system: '',
        fewShot: [{ question: 'What is 1 + 1?', answer: '2' }],
        question: 'What is 2 + 3?',
      }),
    ).toBe('What is 1 + 1?\n2\n\nWhat is 2 + 3?\n');
  });
  it('GSM8K presets through a chat template', () => {
    const apply = (m: { role: string; content: string }[]) => renderChatTemplate(CHATML, m);
    const p = renderPrompt('gsm8k-boxed', { system: 'Be brief.', fewShot: [], question: 'Q?' }, apply);
    expect(p).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nQ?\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(renderPrompt('gsm8k-hash', { system: '', fewShot: [], question: 'Q?' })).toMatch(/#### <number>/);
    expect(boxedSolution('48/2 = <<48/2=24>>24\n#### 72')).toBe('48/2 = 24\nThe final answer is \\boxed{72}.');
    expect(cleanSolution('a <<1+1=2>>2\n#### 2')).toBe('a 2\n#### 2');
    expect(() => renderPrompt('nope', { system: '', fewShot: [], question: '' })).toThrow(/choose one of plain/);
  });
});

describe('cursor', () => {
  it('visits every row once per epoch, reshuffles each epoch, and resumes exactly', () => {
    const c = new ShuffleCursor(10, 3);
    const e0 = Array.from({ length: 10 }, () => c.next());
    const e1 = Array.from({ length: 10 }, () => c.next());
    expect([...e0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e0);
    expect(c.epoch).toBe(1);
    const saved = c.state();
    const next = Array.from({ length: 15 }, () => c.next());
    const d = new ShuffleCursor(10, 3);
    d.restore(saved);
    expect(Array.from({ length: 15 }, () => d.next())).toEqual(next);
    expect(() => new ShuffleCursor(11, 3).restore(saved)).toThrow(CursorMismatchError);
  });
  it('holds out a seeded sample when the source has no test split', () => {
    const rows = arithmeticRows(100, 1);
    const s = holdOut({ train: rows, test: null }, 10, 0);
    expect(s.test).toHaveLength(10);
    expect(s.train).toHaveLength(90);
    expect(holdOut({ train: rows, test: null }, 500, 0).test).toHaveLength(20);
  });
});

describe('run preparation', () => {
  it('templated prompt ids, SFT targets with EOS, few-shot rows kept out of training, exact resume', async () => {
    const config = parseRunConfig({
      data: { dataset: 'demo-arithmetic', num_few_shot: 1, shuffle_seed: 4 },
      run: { eval_examples: 8 },
    });
    const d = await prepareRunData(config, charTok);
    expect(d.evalSet).toHaveLength(8);
    const e = d.train.next();
    expect(e.prompt).toMatch(/^What is \d+ [+-] \d+\?\n\d+\n\nWhat is \d+ [+-] \d+\?\n$/);
    expect(e.promptIds).toEqual(charTok.encode(e.prompt));
    expect(e.targetIds!.at(-1)).toBe(0);
    const saved = d.train.state();
    const next = [d.train.next().prompt, d.train.next().prompt];
    const again = await prepareRunData(config, charTok);
    again.train.restore(saved);
    expect([again.train.next().prompt, again.train.next().prompt]).toEqual(next);
  });
  it('a wrong field mapping fails before training, naming the columns', async () => {
    const config = parseRunConfig({ data: { dataset: 'demo-arithmetic', prompt_field: 'problem' } });
    await expect(prepareRunData(config, charTok)).rejects.toThrow(FieldMappingError);
    await expect(prepareRunData(config, charTok)).rejects.toThrow(/columns: question, answer/);
  });
  it('the scorer reads the mapped gold answer', async () => {
    const config = parseRunConfig({ data: { dataset: 'demo-arithmetic' } });
    const inputs = await prepareRunInputs(config, charTok);
    const e = inputs.evalSet[0];
    const t = await inputs.score([
      { prompt: e.prompt, completion: String(e.row.answer), completionIds: [1], row: e.row, finishReason: 'stop' },
    ]);
    expect(t.scores).toEqual([[1]]);
  });
});

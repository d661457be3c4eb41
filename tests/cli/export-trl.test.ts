// `webgrpo export trl`: the generated project compiles in Python, its data is the browser's rendered
// prompts (few-shot rows kept out, held-out rows apart), its YAML maps back to the same config, and its
// rewards.py, driven from Python, scores through `webgrpo reward serve` exactly as the math grader.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parquetReadObjects } from 'hyparquet';
import { run } from '../../src/cli/export.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import { fromTrl } from '../../src/engine/trl/from-trl.ts';
import { parseTrlText } from '../../src/engine/trl/text.ts';
import { gradeMath } from '../../src/reward/math.ts';
import { loadDataset, holdOut } from '../../src/data/datasets.ts';
import { fewShotExamples, splitRows } from '../../src/data/prepare.ts';
import { promptMessages, renderPrompt, templateDef } from '../../src/data/template.ts';
import { exportRows } from '../../src/data/export-rows.ts';

const ROOT = path.resolve(__dirname, '../..');
const CONFIG = {
  model: { id: 'Qwen/Qwen2.5-0.5B-Instruct' },
  data: { dataset: 'gsm8k-sample', template: 'gsm8k-boxed', num_few_shot: 2, system_prompt: 'Be careful.' },
  rewards: [
    { name: 'math', weight: 1 },
    { name: 'format', weight: 0.1, options: { style: 'boxed' } },
  ],
  run: { max_steps: 30, prompts_per_step: 4, micro_batch_size: 4, eval_examples: 20 },
  grpo: { num_iterations: 2 },
};
let dir = '';
const read = async (f: string) =>
  parquetReadObjects({ file: new Uint8Array(fs.readFileSync(path.join(dir, f))).buffer });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-export-'));
  const cfg = path.join(dir, 'in.json');
  fs.writeFileSync(cfg, JSON.stringify(CONFIG));
  expect(await run(['trl', '--config', cfg, '--out', path.join(dir, 'p')])).toBe(0);
  dir = path.join(dir, 'p');
});

describe('export trl', () => {
  it('writes a project whose Python compiles', () => {
    for (const f of [
      'train.py',
      'rewards.py',
      'trl.yaml',
      'requirements.txt',
      'README.md',
      'accelerate/zero3.yaml',
      'accelerate/multi_node.yaml',
    ])
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    const r = spawnSync('python3', ['-m', 'py_compile', 'train.py', 'rewards.py'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'requirements.txt'), 'utf8')).toMatch(/^trl==\d+\.\d+\.\d+$/m);
  });
  it('maps the YAML back to the same recipe, in TRL units', () => {
    const trl = parseTrlText(fs.readFileSync(path.join(dir, 'trl.yaml'), 'utf8'));
    expect(trl).toMatchObject({
      max_steps: 60,
      generation_batch_size: 32,
      per_device_train_batch_size: 4,
      num_iterations: 2,
      reward_weights: [1, 0.1],
      reward_funcs: ['rewards.math', 'rewards.format'],
    });
    const back = fromTrl(trl).config;
    const c = parseRunConfig(CONFIG);
    expect([back.run.max_steps, back.run.prompts_per_step, back.rewards.map((r) => r.weight)]).toEqual([
      30,
      4,
      [1, 0.1],
    ]);
    expect(back.optim).toEqual(c.optim);
  });
  it('writes the rendered prompts of the same split, few-shot rows kept out', async () => {
    const c = parseRunConfig(CONFIG);
    const loaded = holdOut(await loadDataset(c.data), c.run.eval_examples, c.data.shuffle_seed);
    const s = splitRows(loaded.train, loaded.test, c);
    const shots = fewShotExamples(loaded.train, c.data);
    const train = await read('data/train.parquet'),
      test = await read('data/test.parquet');
    expect(train).toHaveLength(s.train.length);
    expect(test).toHaveLength(s.test.length);
    // a chat template's prompt is TRL's conversational format: the turns, rendered by the model's template
    const parts = (q: unknown) => ({ system: 'Be careful.', fewShot: shots, question: String(q) });
    train.forEach((r, i) =>
      expect(r.prompt).toEqual(promptMessages(templateDef('gsm8k-boxed'), parts(s.train[i].question))),
    );
    expect(test[0].answer).toBe(s.test[0].answer);
    const few = new Set(shots.map((x) => x.question));
    expect(train.some((r) => few.has(String(r.question)))).toBe(false);
    // a plain template's prompt is the text itself
    const plain = await exportRows(parseRunConfig({ ...CONFIG, data: { ...CONFIG.data, template: 'plain' } }));
    expect(plain.train[0].prompt).toBe(renderPrompt('plain', parts(s.train[0].question)));
  });
  it('scores 200 graded GSM8K solutions from Python through reward serve, as the math grader', () => {
    const rows = fs
      .readFileSync(path.join(ROOT, 'fixtures/gsm8k/example_model_solutions.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 100)
      .map((l) => JSON.parse(l));
    const completions = rows.flatMap((r) => [r['6b_finetuning'].solution, r['175b_verification'].solution]);
    const answers = rows.flatMap((r) => [r.ground_truth, r.ground_truth]);
    const script = `import json, sys, time, rewards
d = json.load(sys.stdin)
t = time.time()
s = rewards.math(prompts=[""] * len(d["c"]), completions=d["c"], answer=d["a"], trainer_state=None)
print(json.dumps({"scores": s, "seconds": time.time() - t}))`;
    const r = spawnSync('python3', ['-c', script], {
      cwd: dir,
      input: JSON.stringify({ c: completions, a: answers }),
      encoding: 'utf8',
      env: { ...process.env, WEBGRPO_REWARD_CMD: `node ${path.join(ROOT, 'bin/webgrpo.mjs')} reward serve` },
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.scores).toEqual(completions.map((c, i) => gradeMath(c, answers[i]).score));
    console.log(`rewards.math from Python: 200 completions in ${out.seconds.toFixed(2)} s (process start included)`);
  }, 300_000);
});

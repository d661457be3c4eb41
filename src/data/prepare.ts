// The data and rewards of a run, from its config: rows -> field mapping -> prompt template -> token ids,
// as the trainer's ExampleStream (seeded shuffle, epochs, exact resume) and eval set, plus the reward
// scorer. This is what the worker's SessionEnv.prepareRun returns.
//
//   const inputs = await prepareRunInputs(config, tokenizer, { runner: WorkerRewardRunner.create() })
import type { RunConfig } from '../engine/config.ts';
import type { Example, ExampleStream } from '../engine/rollout.ts';
import { RunScorer } from '../reward/scorer.ts';
import type { RewardRunner } from '../reward/runner.ts';
import { LocalRewardRunner } from '../reward/runner.ts';
import { ShuffleCursor, shuffledOrder, type CursorState } from './cursor.ts';
import { holdOut, loadDataset, type DataConfig, type LoadDataOptions } from './datasets.ts';
import { renderPrompt, templateDef, type ChatMessage, type PromptParts } from './template.ts';
import { DatasetError, type Row } from './types.ts';
import type { EnvRunDeps } from '../engine/env-rollout.ts';
import type { ChatTokenizer } from './env-chat.ts';
import { envRunDeps, noDataStream, type EnvHostFactory } from './env-inputs.ts';

/** The little of a tokenizer the data layer needs. */
export interface PromptTokenizer {
  encode(text: string): number[];
  eosIds: number[];
  chatTemplate: string | null;
  applyChatTemplate(messages: ChatMessage[], o?: { kwargs?: Record<string, unknown> }): string;
}

export class FieldMappingError extends DatasetError {
  override readonly name: string = 'FieldMappingError';
}

function field(row: Row, name: string, role: string, columns: () => string[]): string {
  const v = row[name];
  if (v === undefined || v === null)
    throw new FieldMappingError(
      `the ${role} column "${name}" is not in the dataset (columns: ${columns().join(', ')}); set data.${role}_field to one of them`,
    );
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One row as the trainer's Example: templated prompt ids, the row itself, and the SFT target ids. */
export function makeExample(
  row: Row,
  data: DataConfig,
  fewShot: PromptParts['fewShot'],
  tok: PromptTokenizer,
): Example {
  const cols = () => Object.keys(row);
  const kwargs = data.chat_template_kwargs;
  const applyChat = tok.chatTemplate ? (m: ChatMessage[]) => tok.applyChatTemplate(m, { kwargs }) : undefined;
  // a conversational dataset (as TRL takes it): the prompt column holds the messages themselves
  const conversation = asMessages(row[data.prompt_field]);
  const prompt = conversation
    ? applyChat
      ? applyChat(conversation)
      : `${conversation.map((m) => m.content).join('\n\n')}\n`
    : renderPrompt(
        data.template,
        { system: data.system_prompt, fewShot, question: field(row, data.prompt_field, 'prompt', cols) },
        applyChat,
      );
  const gold = row[data.answer_field];
  const targetIds =
    gold === undefined || gold === null
      ? undefined
      : [...tok.encode(templateDef(data.template).answer(String(gold))), ...tok.eosIds.slice(0, 1)];
  return { prompt, promptIds: tok.encode(prompt), row, targetIds };
}

/** The value as chat messages when it is a list of {role, content} (TRL's conversational format), else null. */
export function asMessages(v: unknown): ChatMessage[] | null {
  const list = typeof v === 'string' && v.trimStart().startsWith('[{') ? tryJson(v) : v;
  if (!Array.isArray(list) || !list.length) return null;
  const ok = list.every(
    (m) =>
      m &&
      typeof m === 'object' &&
      typeof (m as ChatMessage).role === 'string' &&
      typeof (m as ChatMessage).content === 'string',
  );
  return ok ? (list as ChatMessage[]).map((m) => ({ role: m.role, content: m.content })) : null;
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** The training rows as an endless seeded stream; its state is the cursor's. */
export class RowStream implements ExampleStream {
  private cursor: ShuffleCursor;

  constructor(
    private readonly rows: Row[],
    seed: number,
    private readonly toExample: (r: Row) => Example,
  ) {
    this.cursor = new ShuffleCursor(rows.length, seed);
  }

  next(): Example {
    return this.toExample(this.rows[this.cursor.next()]);
  }

  state(): CursorState {
    return this.cursor.state();
  }

  restore(state: unknown): void {
    this.cursor.restore(state as CursorState);
  }

  get epoch(): number {
    return this.cursor.epoch;
  }
}

export interface RunData {
  train: RowStream;
  evalSet: Example[];
  fewShot: Row[];
}

/** Which training rows serve as few-shot examples: k of them, drawn with the shuffle seed. */
export function fewShotIndices(n: number, k: number, seed: number): number[] {
  return Array.from(shuffledOrder(n, seed + 7919, 0).slice(0, Math.min(k, n)));
}

/** Few-shot examples as the template reads them (question and gold answer through the field mapping). */
export function fewShotExamples(rows: Row[], data: DataConfig): PromptParts['fewShot'] {
  return fewShotIndices(rows.length, data.num_few_shot, data.shuffle_seed).map((i) => ({
    question: String(rows[i][data.prompt_field] ?? ''),
    answer: String(rows[i][data.answer_field] ?? ''),
  }));
}

/** Rows split into training, held-out and few-shot examples (few-shot rows are kept out of training). */
export function splitRows(train: Row[], test: Row[], run: RunConfig): { train: Row[]; test: Row[]; fewShot: Row[] } {
  const shot = new Set(fewShotIndices(train.length, run.data.num_few_shot, run.data.shuffle_seed));
  return {
    train: train.filter((_, i) => !shot.has(i)),
    test: test.slice(0, run.run.eval_examples),
    fewShot: [...shot].map((i) => train[i]),
  };
}

export async function prepareRunData(
  config: RunConfig,
  tok: PromptTokenizer,
  o: LoadDataOptions = {},
): Promise<RunData> {
  templateDef(config.data.template); // an unknown template fails before any download
  const loaded = holdOut(await loadDataset(config.data, o), config.run.eval_examples, config.data.shuffle_seed);
  const s = splitRows(loaded.train, loaded.test, config);
  const fewShot = fewShotExamples(loaded.train, config.data);
  const toExample = (r: Row) => makeExample(r, config.data, fewShot, tok);
  const evalSet = s.test.map(toExample);
  const train = new RowStream(s.train, config.data.shuffle_seed, toExample);
  toExample(s.train[0]); // a wrong field mapping fails here, with the columns named, not mid-run
  return { train, evalSet, fewShot: s.fewShot };
}

export interface RunInputs {
  train: ExampleStream;
  evalSet: Example[];
  score: RunScorer['score'];
  scorer: RunScorer;
  /** Environment runs: the environments and the chat turns. */
  envs?: EnvRunDeps;
  dispose(): void;
}

export async function prepareRunInputs(
  config: RunConfig,
  tok: PromptTokenizer | (PromptTokenizer & ChatTokenizer),
  o: LoadDataOptions & { runner?: RewardRunner; envHost?: EnvHostFactory } = {},
): Promise<RunInputs> {
  const scorer = RunScorer.fromConfig(config, o.runner ?? new LocalRewardRunner());
  const dispose = () => scorer.dispose();
  if (!config.environment.envs.length) {
    const data = await prepareRunData(config, tok, o);
    return { train: data.train, evalSet: data.evalSet, score: scorer.score, scorer, dispose };
  }
  // environments: evaluation plays held-out episodes; a dataset is read only to feed SFT (sft_then_grpo)
  if (!('decode' in tok)) throw new TypeError('an environment run needs a tokenizer that decodes (a TextTokenizer)');
  const envs = envRunDeps(config, tok, o.envHost);
  const disposeAll = () => {
    envs.host?.dispose();
    dispose();
  };
  try {
    const train = config.run.mode === 'sft_then_grpo' ? (await prepareRunData(config, tok, o)).train : noDataStream();
    return { train, evalSet: [], score: scorer.score, scorer, envs, dispose: disposeAll };
  } catch (e) {
    disposeAll();
    throw e;
  }
}

// A TRL GRPO configuration (the YAML `trl grpo --config` takes, or a JSON dict of GRPOConfig + LoraConfig
// kwargs) as our run config, with one row per field saying what became of it: mapped (same meaning),
// changed (mapped, but the meaning differs; the note says how) or unsupported (the note says what happens
// instead). Absent fields take TRL's defaults (fields.ts), so the import trains what TRL would.
//
//   const { config, rows } = fromTrl(parseTrlText(text))   // TrlConfigError lists typos with the nearest name
import { closest, distance } from 'fastest-levenshtein';
import { parseRunConfig, type RunConfig } from '../config.ts';
import { TRL_FIELDS, LORA_CONFIG_FIELDS } from './fields.ts';
import { Mapping, TrlConfigError, type MappingRow } from './mapping.ts';
import { mapBatch, mapLora, mapRewards, mapSchedule, unsupportedNote } from './from-trl-parts.ts';

export { Mapping, TrlConfigError, type MappingRow, type RowStatus } from './mapping.ts';

/** A flat dict of TRL fields: `{grpo_config: {...}, lora_config: {...}}` is flattened, LoraConfig keys marked. */
function flatten(input: Record<string, unknown>): { flat: Record<string, unknown>; loraKeys: Set<string> } {
  const loraKeys = new Set<string>();
  const nested = ['grpo_config', 'lora_config', 'peft_config', 'training_args'].filter(
    (k) => input[k] && typeof input[k] === 'object',
  );
  if (!nested.length) {
    for (const k of Object.keys(input)) if (LORA_CONFIG_FIELDS.has(k) && !TRL_FIELDS.has(k)) loraKeys.add(k);
    return { flat: input, loraKeys };
  }
  const flat: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!nested.includes(k)) flat[k] = v;
    else
      for (const [kk, vv] of Object.entries(v as Record<string, unknown>)) {
        flat[kk] = vv;
        if (k === 'lora_config' || k === 'peft_config') loraKeys.add(kk);
      }
  }
  return { flat, loraKeys };
}

function typos(flat: Record<string, unknown>, loraKeys: Set<string>): string[] {
  const known = [...TRL_FIELDS, ...LORA_CONFIG_FIELDS];
  return Object.keys(flat)
    .filter((k) => !(loraKeys.has(k) ? LORA_CONFIG_FIELDS : TRL_FIELDS).has(k) && !LORA_CONFIG_FIELDS.has(k))
    .map((k) => {
      const near = closest(k, known);
      return distance(k, near) <= Math.max(2, Math.floor(k.length / 3))
        ? `${k}: not a field of TRL's GRPOConfig, ModelConfig or PEFT's LoraConfig; did you mean ${near}?`
        : `${k}: not a field of TRL's GRPOConfig, ModelConfig or PEFT's LoraConfig (check its spelling in TRL's documentation)`;
    });
}

const SAME: [string, string][] = [
  ['num_generations', 'sampling.num_generations'],
  ['max_completion_length', 'sampling.max_completion_length'],
  ['temperature', 'sampling.temperature'],
  ['top_p', 'sampling.top_p'],
  ['top_k', 'sampling.top_k'],
  ['repetition_penalty', 'sampling.repetition_penalty'],
  ['beta', 'grpo.beta'],
  ['epsilon', 'grpo.epsilon'],
  ['epsilon_high', 'grpo.epsilon_high'],
  ['delta', 'grpo.delta'],
  ['num_iterations', 'grpo.num_iterations'],
  ['importance_sampling_level', 'grpo.importance_sampling_level'],
  ['mask_truncated_completions', 'grpo.mask_truncated_completions'],
  ['top_entropy_quantile', 'grpo.top_entropy_quantile'],
  ['entropy_coef', 'grpo.entropy_coef'],
  ['sapo_temperature_pos', 'grpo.sapo_temperature_pos'],
  ['sapo_temperature_neg', 'grpo.sapo_temperature_neg'],
  ['vespo_k_pos', 'grpo.vespo_k_pos'],
  ['vespo_lambda_pos', 'grpo.vespo_lambda_pos'],
  ['vespo_k_neg', 'grpo.vespo_k_neg'],
  ['vespo_lambda_neg', 'grpo.vespo_lambda_neg'],
  ['learning_rate', 'optim.learning_rate'],
  ['weight_decay', 'optim.weight_decay'],
  ['adam_beta1', 'optim.adam_beta1'],
  ['adam_beta2', 'optim.adam_beta2'],
  ['adam_epsilon', 'optim.adam_epsilon'],
  ['max_grad_norm', 'optim.max_grad_norm'],
  ['seed', 'run.seed'],
  ['gradient_checkpointing', 'run.gradient_checkpointing'],
  ['model_revision', 'model.revision'],
  ['dataset_config', 'data.config'],
  ['dataset_train_split', 'data.split'],
  ['dataset_test_split', 'data.eval_split'],
];

/** Maps a parsed TRL configuration; throws TrlConfigError for typos and for values our config refuses. */
export function fromTrl(
  input: Record<string, unknown>,
  o: { numProcesses?: number } = {},
): { config: RunConfig; rows: MappingRow[] } {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new TrlConfigError(['the file must hold a mapping of TRL field names to values']);
  const { flat, loraKeys } = flatten(input);
  const bad = typos(flat, loraKeys);
  if (bad.length) throw new TrlConfigError(bad);
  const m = new Mapping(flat, loraKeys);
  // the default that matters most differs from ours: TRL's, so the import trains what TRL would
  for (const [trl, ours] of SAME)
    m.row(
      trl,
      ours,
      'mapped',
      '',
      m.get(trl),
      trl === 'learning_rate' || trl === 'adam_beta2' || trl === 'max_completion_length' || trl === 'seed',
    );
  if (m.has('model_name_or_path')) m.row('model_name_or_path', 'model.id', 'mapped', '');
  if (m.has('chat_template_kwargs')) m.row('chat_template_kwargs', 'data.chat_template_kwargs', 'mapped', '');
  if (m.has('dataset_name'))
    m.row('dataset_name', 'data.dataset', 'mapped', 'read from the Hub with its Parquet files');
  m.row('min_p', 'sampling.min_p', 'mapped', 'None is 0 (off)', m.has('min_p') ? m.input.min_p : 0);
  const loss = String(m.get('loss_type'));
  if (['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo', 'vespo'].includes(loss))
    m.row('loss_type', 'grpo.loss_type', 'mapped', '');
  else if (loss === 'luspo')
    m.row(
      'loss_type',
      'grpo.loss_type',
      m.get('importance_sampling_level') === 'sequence' ? 'mapped' : 'changed',
      m.get('importance_sampling_level') === 'sequence'
        ? ''
        : "at token level TRL's luspo also averages over padding positions; here each sequence's token terms are summed over its own tokens",
    );
  else m.row('loss_type', 'grpo.loss_type', 'unsupported', `${loss} is not implemented; dapo is used instead`, 'dapo');
  const sr = m.get('scale_rewards');
  m.row(
    'scale_rewards',
    'grpo.scale_rewards',
    'mapped',
    typeof sr === 'boolean' ? `${sr} is ${sr ? 'group' : 'none'}` : '',
    sr === true ? 'group' : sr === false ? 'none' : sr,
  );
  mapSchedule(m);
  mapBatch(m, o.numProcesses ?? 1);
  mapLora(m);
  mapRewards(m);
  for (const k of Object.keys(flat))
    if (!m.done.has(k))
      m.rows.push({ trl: k, value: flat[k], ours: null, status: 'unsupported', note: unsupportedNote(k) });
  let config: RunConfig;
  try {
    config = parseRunConfig(m.out);
  } catch (e) {
    throw new TrlConfigError((e as { problems?: string[] }).problems ?? [(e as Error).message]);
  }
  return { config, rows: m.rows };
}

// Small helpers shared by the CLI commands: option parsing with clear errors, and model loading from disk.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend, type BackendName } from '../engine/backend.ts';
import { CausalLM } from '../engine/model/model.ts';
import { dirSource } from '../engine/model/node-source.ts';
import { LoraAdapter } from '../engine/lora.ts';

export class UsageError extends Error {
  readonly name = 'UsageError';
}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${usage}`);
  }
}

/** "1,2,3;4,5" -> [[1,2,3],[4,5]] */
export function parseIdRows(s: string, what: string): number[][] {
  const rows = s.split(';').map((r) =>
    r
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')
      .map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`${what}: "${x}" is not a non-negative integer`);
        return n;
      }),
  );
  if (!rows.length || rows.some((r) => !r.length))
    throw new UsageError(`${what}: give rows of comma-separated ids separated by ";", e.g. "1,2,3;4,5,6"`);
  return rows;
}

export async function loadModelAndLora(
  modelDir: string,
  loraDir: string | undefined,
  backend: string | undefined,
): Promise<{ model: CausalLM; lora: LoraAdapter | null }> {
  if (!fs.existsSync(path.join(modelDir, 'config.json')))
    throw new UsageError(`--model ${modelDir}: no config.json there; give a Hugging Face model folder`);
  await initBackend((backend ?? 'cpu') as BackendName);
  const model = await CausalLM.load(dirSource(modelDir));
  if (!loraDir) return { model, lora: null };
  const cfgPath = path.join(loraDir, 'adapter_config.json'),
    wPath = path.join(loraDir, 'adapter_model.safetensors');
  if (!fs.existsSync(cfgPath) || !fs.existsSync(wPath))
    throw new UsageError(
      `--lora ${loraDir}: expected adapter_config.json and adapter_model.safetensors (a PEFT adapter folder)`,
    );
  const lora = LoraAdapter.fromPeft(model.spec, JSON.parse(fs.readFileSync(cfgPath, 'utf8')), fs.readFileSync(wPath));
  return { model, lora };
}

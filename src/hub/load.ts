// From the config's model field to a loaded model and its tokenizer: "demo" (the bundled model served with
// the app), a URL of a model folder, or a Hub id (downloaded with progress and cached; `commit` is the
// commit its revision resolved to, which an exported adapter records).
//
//   const { model, tokenizer } = await loadModelAndTokenizer(config.model, { onProgress })
import { CausalLM } from '../engine/model/model.ts';
import { urlSource, type FileSource } from '../engine/model/source.ts';
import type { RunConfig } from '../engine/config.ts';
import { hubSource, type DownloadProgress, type HubFileSource, type HubOptions } from './download.ts';
import { loadTokenizer, type TextTokenizer } from './tokenizer.ts';
import { appAssetUrl } from './app-url.ts';
import { notAModel, parseModelId } from './model-id.ts';
import { parseModelSpec, type ModelSpec } from '../engine/model/spec.ts';
import { ModelFilesError } from '../engine/model/source.ts';

export interface LoadOptions extends Omit<HubOptions, 'revision' | 'onProgress'> {
  /** Where the bundled demo model is served (default: models/demo/ beside the app). */
  demoUrl?: string;
  onProgress?: (p: DownloadProgress) => void;
}

export class ModelIdError extends Error {
  readonly name = 'ModelIdError';
}

export function modelSource(model: RunConfig['model'], o: LoadOptions = {}): FileSource {
  const ref = parseModelId(model.id);
  if (!ref) throw new ModelIdError(notAModel(model.id.trim()));
  if (ref.kind === 'demo') {
    const inBrowser = typeof (globalThis as { location?: unknown }).location !== 'undefined';
    return urlSource(o.demoUrl ?? (inBrowser ? appAssetUrl('models/demo/') : 'models/demo'));
  }
  if (ref.kind === 'url') return urlSource(ref.url);
  return hubSource(ref.id, { ...o, revision: model.revision });
}

/** A model's architecture from its config.json alone, without downloading its weights. */
export async function readModelSpec(model: RunConfig['model'], o: LoadOptions = {}): Promise<ModelSpec> {
  const src = modelSource(model, o);
  const bytes = await src.read('config.json');
  if (!bytes) throw new ModelFilesError(`${src.where} has no config.json: is this a Hugging Face model folder?`);
  return parseModelSpec(JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>);
}

/** Per-file progress of sources without their own tracker (demo, URL) is reported as each file arrives. */
export async function loadModelAndTokenizer(
  model: RunConfig['model'],
  o: LoadOptions = {},
): Promise<{ model: CausalLM; tokenizer: TextTokenizer; source: FileSource; commit: string | null }> {
  const source = modelSource(model, o);
  const isHub = 'commit' in source;
  const lm = await CausalLM.load(
    source,
    isHub
      ? undefined
      : (p) =>
          o.onProgress?.({
            file: p.file,
            loaded: p.loaded,
            total: p.total,
            bytesDone: p.loaded,
            bytesTotal: p.total,
            bytesPerSecond: 0,
            etaSeconds: null,
            cached: false,
          }),
    { weightDtype: model.weight_dtype },
  );
  try {
    const tokenizer = await loadTokenizer(source, lm.spec);
    return { model: lm, tokenizer, source, commit: isHub ? await (source as HubFileSource).commit() : null };
  } catch (e) {
    lm.dispose();
    throw e;
  }
}

// Loads a Hugging Face model folder (config.json, generation_config.json, model.safetensors or shards with
// model.safetensors.index.json) from a FileSource. loadWeights streams: each shard is read as chunks
// (FileSource.stream), each tensor goes to the device as soon as its bytes are complete, in the form the
// model keeps it (weights.ts: deviceTensor), and the loader waits for the GPU queue before reading on. The
// host holds one tensor's bytes and a chunk, never the model: the page's memory during a load stays within
// the largest tensor (a 16-bit checkpoint's embedding: 272 MB for Qwen2.5-0.5B) above its steady state.
//
//   const { spec, weights } = await loadWeights(src, { weightDtype: 'stored', onProgress })
//   const { spec, tensors } = await loadModelFiles(src)   // every tensor on the host (tools, tests)
//
// 16-bit storage is chosen per model (all frozen matrices bf16, or all f16), but a shard's header is read
// only as the shard arrives: the first shard with matrices decides, and a later shard that disagrees (a
// mixed checkpoint, rare) turns the matrices placed so far into f32, one at a time, on the device.
import { parseModelSpec, type ModelSpec } from './spec.ts';
import type { StTensor } from './safetensors.ts';
import { streamSafetensors, type StHeaderEntry } from './safetensors-stream.ts';
import { readJson, ModelFilesError, type FileSource } from './source.ts';
import { dense, isPacked, type Format16 } from './packed.ts';
import {
  assembleWeights,
  deviceTensor,
  matrixFormat,
  weightNames,
  type DeviceTensor,
  type LoadProgress,
  type ModelWeights,
  type WeightDtype,
} from './weights.ts';
import { gpuQueueDone } from '../tfjs-internals.ts';
import { releasePooledGpuBuffers } from '../gpu-memory.ts';

/** The architecture and the safetensors files of a model folder. */
export async function readModelFolder(src: FileSource): Promise<{ spec: ModelSpec; files: string[] }> {
  const cfg = await readJson(src, 'config.json');
  if (!cfg) throw new ModelFilesError(`${src.where} has no config.json: is this a Hugging Face model folder?`);
  const gen = (await readJson(src, 'generation_config.json')) ?? {};
  const spec = parseModelSpec(cfg, gen);
  const index = await readJson(src, 'model.safetensors.index.json');
  const map = index?.weight_map;
  if (index && (typeof map !== 'object' || map === null || Object.values(map).some((f) => typeof f !== 'string')))
    throw new ModelFilesError(`${src.where}/model.safetensors.index.json has no weight_map of file names`);
  const files = map ? [...new Set(Object.values(map as Record<string, string>))].sort() : ['model.safetensors'];
  return { spec, files };
}

/** A shard as chunks: streamed when the source can, else read whole (one chunk). */
async function shardChunks(
  src: FileSource,
  file: string,
  onProgress?: (p: LoadProgress) => void,
): Promise<AsyncIterable<Uint8Array>> {
  const progress = (loaded: number, total: number) => onProgress?.({ file, loaded, total });
  const missing = () => new ModelFilesError(`${src.where}/${file} is missing: webgrpo needs safetensors weights`);
  if (src.stream) {
    const s = await src.stream(file, progress);
    if (!s) throw missing();
    return s;
  }
  const bytes = await src.read(file, progress);
  if (!bytes) throw missing();
  return (async function* () {
    yield bytes;
  })();
}

export interface LoadWeightsOptions {
  /** 'stored' (default) keeps a bf16/f16 checkpoint's matrices 16-bit on the device; 'f32' widens them. */
  weightDtype?: WeightDtype;
  onProgress?: (p: LoadProgress) => void;
  /**
   * Called once the storage of the matrices is known, before the first one is placed (and again with null
   * if a later shard turns them to f32): to refuse a model that cannot fit before it is uploaded.
   */
  beforeMatrices?(spec: ModelSpec, format: Format16 | null): void;
}

/** Streams a model folder's weights onto the current backend, tensor by tensor (see the file's comment). */
export async function loadWeights(
  src: FileSource,
  o: LoadWeightsOptions = {},
): Promise<{ spec: ModelSpec; weights: ModelWeights }> {
  const { spec, files } = await readModelFolder(src);
  const wanted = weightNames(spec); // the rest of a checkpoint is read past, never uploaded
  const placed = new Map<string, DeviceTensor>();
  let format: Format16 | null | undefined, // undefined until a header with matrices is read
    widen = false;
  const onHeader = (entries: [string, StHeaderEntry][]) => {
    const f = o.weightDtype === 'f32' ? null : matrixFormat(entries.filter(([n]) => wanted.has(n)));
    if (f === undefined || f === format || format === null) return;
    widen = format !== undefined; // shards disagree: f32 throughout, the matrices placed so far included
    format = format === undefined ? f : null;
    o.beforeMatrices?.(spec, format);
  };
  try {
    for (const file of files) {
      const chunks = await shardChunks(src, file, o.onProgress);
      const tensors = streamSafetensors(chunks, `${src.where}/${file}`, { onHeader, want: (n) => wanted.has(n) });
      for await (const [name, t] of tensors) {
        if (widen) await widenPlaced(placed);
        widen = false;
        placed.get(name)?.dispose(); // the same name in two shards: the last one counts
        placed.set(name, deviceTensor(name, t, format ?? null));
        await gpuQueueDone();
      }
      if (widen) await widenPlaced(placed);
      widen = false;
    }
    if (format === undefined) o.beforeMatrices?.(spec, null);
    if (!placed.has('lm_head.weight')) spec.tieEmbeddings = true;
    return { spec, weights: assembleWeights(spec, placed) };
  } catch (e) {
    for (const t of placed.values()) t.dispose();
    throw e;
  } finally {
    releasePooledGpuBuffers(); // what was staged or widened on the way fits nothing the model does next
  }
}

/** Turns the packed matrices placed so far into f32, one at a time (a checkpoint whose shards disagree). */
async function widenPlaced(placed: Map<string, DeviceTensor>): Promise<void> {
  for (const [k, t] of placed) {
    if (!isPacked(t)) continue;
    placed.set(k, dense(t));
    t.dispose();
    await gpuQueueDone();
  }
}

/**
 * Every tensor of a model folder on the host (bf16/f16 as their 16-bit bits), for tools and tests that
 * change values before uploading them (weights.ts: uploadWeights). A model load streams instead.
 */
export async function loadModelFiles(
  src: FileSource,
  onProgress?: (p: LoadProgress) => void,
): Promise<{ spec: ModelSpec; tensors: Map<string, StTensor> }> {
  const { spec, files } = await readModelFolder(src);
  const tensors = new Map<string, StTensor>();
  for (const file of files)
    for await (const [k, v] of streamSafetensors(await shardChunks(src, file, onProgress), `${src.where}/${file}`))
      tensors.set(k, v);
  if (!tensors.has('lm_head.weight') && !spec.tieEmbeddings) spec.tieEmbeddings = true;
  return { spec, tensors };
}

// The engine's pure, DOM-free pieces that the UI uses on the main thread, without a round trip to the
// worker: the config schema with its defaults, presets and links (the Config tab builds its form from the
// schema), TRL config conversion (the Config tab's TRL panel), the model spec parser and memory estimate
// (the Model tab refuses a model that cannot fit before anything downloads), and the adapter's name.
// Everything that touches tensors goes through the worker protocol (protocol.ts, client.ts). The UI
// imports engine values only from here; types it may import from anywhere.
export { RunConfigSchema, RewardSpecSchema, defaultRunConfig } from '../engine/config.ts';
export { PRESETS, presetConfig } from '../engine/presets.ts';
export { decodeLink, encodeLink, customCode, presenterLink, withPresenter } from '../engine/link.ts';
export { estimateMemory, fitProblems, weightValueBytes } from '../engine/memory.ts';
export { adapterName, isSoftwareAdapter } from '../engine/adapter.ts';
export { parseModelSpec, paramCount } from '../engine/model/spec.ts';
export { predictRunTime, formatDuration } from '../engine/predict.ts';
export { DEMO_SPEC } from '../engine/model/demo-spec.ts';
export { fromTrl, TrlConfigError } from '../engine/trl/from-trl.ts';
export { toTrl } from '../engine/trl/to-trl.ts';
export { parseTrlText, trlYaml } from '../engine/trl/text.ts';
export { trlProjectFiles } from '../engine/trl/project.ts';
export { peftLoraSection } from '../engine/lora-peft.ts';

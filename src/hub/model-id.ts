// What the config's model.id names, decided in one place for the loader (load.ts) and the Model tab's
// look-up of config.json (ui/model/model.svelte.ts):
//
//   parseModelId('demo')                      // { kind: 'demo' }
//   parseModelId('https://host/m/')           // { kind: 'url', url }   (also //host/..., /path, ./path)
//   parseModelId('Qwen/Qwen2.5-0.5B-Instruct') // { kind: 'hub', id }
//   parseModelId('not a model')               // null: say NOT_A_MODEL
export type ModelRef = { kind: 'demo' } | { kind: 'url'; url: string } | { kind: 'hub'; id: string };

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function parseModelId(raw: string): ModelRef | null {
  const id = raw.trim();
  if (id === 'demo') return { kind: 'demo' };
  if (/^(https?:)?\/\//.test(id) || id.startsWith('/') || id.startsWith('./')) return { kind: 'url', url: id };
  return HUB_ID.test(id) ? { kind: 'hub', id } : null;
}

/** Why an id names nothing, and what to give instead. */
export const notAModel = (id: string) =>
  `"${id}" is not a model: give "demo", a Hub id such as Qwen/Qwen2.5-0.5B-Instruct, or the URL of a model folder`;

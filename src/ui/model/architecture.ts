// A model's architecture before its weights download, for the Model tab's memory estimate and checks:
// config.json read as the load reads it. A Hub id's revision is resolved to its commit once (hub/revision.ts,
// through hubSource) and config.json is fetched at that commit and cached under it, so the estimate and the
// load read the same file of the same commit (and the load finds it in the cache); a branch that moves
// between the two cannot make them disagree. A folder URL's config.json is fetched from the folder.
//
//   const found = await readArchitecture('Qwen/Qwen2.5-0.5B-Instruct', 'main', hub.settings)   // ModelSpec | Unknown
import type { ModelSpec } from '../../engine/model/spec.ts';
import type { HubSettings } from '../../worker/protocol.ts';
import { parseModelSpec } from '../../worker/shared.ts';
import { HubAccessError, HubNotFoundError, hubSource, type CacheLike } from '../../hub/download.ts';
import { notAModel, parseModelId } from '../../hub/model-id.ts';

/** Why an architecture is unknown; `blocking` when the model can never run (not a model, unsupported). */
export interface Unknown {
  why: string;
  blocking: boolean;
}

/** Where a folder URL's config.json is, or null for ids that are not a folder URL. */
export function configUrl(id: string): string | null {
  const ref = parseModelId(id);
  return ref?.kind === 'url' ? `${ref.url.replace(/\/$/, '')}/config.json` : null;
}

/** `fetch` and `cache` for tests; the browser's fetch and the download cache otherwise. */
export async function readArchitecture(
  id: string,
  revision: string,
  hub: HubSettings,
  o: { fetch?: typeof fetch; cache?: CacheLike | null } = {},
): Promise<ModelSpec | Unknown> {
  const ref = parseModelId(id.trim());
  if (!ref) return { why: `${notAModel(id)}.`, blocking: true };
  if (ref.kind === 'demo') return { why: 'The demo model is a preset of the menu.', blocking: false };
  const got =
    ref.kind === 'hub'
      ? await hubConfig(ref.id, revision, hub, o)
      : await folderConfig(configUrl(id.trim())!, o.fetch ?? fetch);
  if ('why' in got) return got;
  try {
    return parseModelSpec(JSON.parse(new TextDecoder().decode(got.bytes)) as Record<string, unknown>);
  } catch (e) {
    return { why: `${e instanceof Error ? e.message : String(e)}.`, blocking: true };
  }
}

/** config.json at the commit the revision resolves to, through the download's cache. */
async function hubConfig(
  id: string,
  revision: string,
  hub: HubSettings,
  o: { fetch?: typeof fetch; cache?: CacheLike | null },
): Promise<{ bytes: Uint8Array } | Unknown> {
  const src = hubSource(id, {
    revision,
    ...(hub.endpoint ? { endpoint: hub.endpoint } : {}),
    ...(hub.token ? { token: hub.token } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.cache !== undefined ? { cache: o.cache } : {}),
    retries: 1,
    retryDelayMs: 500,
  });
  try {
    const bytes = await src.read('config.json');
    return bytes
      ? { bytes }
      : { why: `${src.where} has no config.json: is this a Hugging Face model?`, blocking: true };
  } catch (e) {
    return hubProblem(e as Error, id, src.where);
  }
}

function hubProblem(e: Error, id: string, where: string): Unknown {
  if (e instanceof HubAccessError)
    return {
      why: `The Hub refused access to ${id}: the model may be gated or private; set the access token below.`,
      blocking: false,
    };
  if (e instanceof HubNotFoundError)
    return { why: `${where}: no such model or revision: check the id and revision.`, blocking: true };
  // Offline or blocked: the model may still be in the download cache, so this does not refuse the run.
  return {
    why: `Cannot reach the Hub to read the model's architecture (${e.message}); the estimate appears once it loads.`,
    blocking: false,
  };
}

async function folderConfig(url: string, f: typeof fetch): Promise<{ bytes: Uint8Array } | Unknown> {
  let res: Response;
  try {
    res = await f(url);
  } catch {
    return {
      why: `Cannot reach ${new URL(url, location.href).host} to read the model's architecture; the estimate appears once it loads.`,
      blocking: false,
    };
  }
  if (!res.ok)
    return { why: `No config.json at ${url} (HTTP ${res.status}): check the address.`, blocking: res.status === 404 };
  return { bytes: new Uint8Array(await res.arrayBuffer()) };
}

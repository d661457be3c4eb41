// A run's whole configuration as a shareable link: the fields that differ from the defaults, as JSON,
// deflated and base64url-encoded, after a version tag: `https://app/#run=v1.<data>`. Decoding validates
// against the schema, so a malformed or tampered link gives a LinkError that says what is wrong.
//
//   const url = await encodeLink(cfg, location.origin + location.pathname)
//   const cfg = await decodeLink(location.href)
import { parseRunConfig, defaultRunConfig, ConfigError, type RunConfig } from './config.ts';

export const LINK_VERSION = 'v1';

export class LinkError extends Error {
  readonly name = 'LinkError';
}

/** The parts of `value` that differ from `base` (arrays are compared whole). */
export function configDiff(value: unknown, base: unknown): unknown {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    typeof base !== 'object' ||
    base === null
  ) {
    return JSON.stringify(value) === JSON.stringify(base) ? undefined : value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const d = configDiff(v, (base as Record<string, unknown>)[k]);
    if (d !== undefined) out[k] = d;
  }
  return Object.keys(out).length ? out : undefined;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

const toB64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

export async function encodeConfig(cfg: RunConfig): Promise<string> {
  const diff = configDiff(cfg, defaultRunConfig()) ?? {};
  const packed = await pipe(new TextEncoder().encode(JSON.stringify(diff)), new CompressionStream('deflate-raw'));
  return `${LINK_VERSION}.${toB64url(packed)}`;
}

export async function encodeLink(cfg: RunConfig, base: string): Promise<string> {
  return `${base.split('#')[0]}#run=${await encodeConfig(cfg)}`;
}

/** The config in a link (a full URL, a `#run=...` fragment, or the bare `v1.<data>` token). */
export async function decodeLink(link: string): Promise<RunConfig> {
  const token = link.includes('run=')
    ? link
        .slice(link.indexOf('run=') + 4)
        .split('&')[0]
        .trim()
    : link.trim();
  const [version, data] = token.split('.', 2);
  if (version !== LINK_VERSION || !data)
    throw new LinkError(
      `this link is not a webgrpo run link (expected "#run=${LINK_VERSION}.<data>"); ask for the link again`,
    );
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await pipe(fromB64url(data), new DecompressionStream('deflate-raw'))));
  } catch {
    throw new LinkError('the link is damaged (its data does not decode); it may have been cut when copied');
  }
  try {
    return parseRunConfig(json);
  } catch (e) {
    if (e instanceof ConfigError)
      throw new LinkError(`the link's configuration is invalid:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`);
    throw e;
  }
}

/** Custom JavaScript reward code carried by a config: a link holding any must be shown and confirmed before running. */
export function customCode(cfg: RunConfig): string[] {
  return cfg.rewards
    .filter((r) => r.name === 'custom' && typeof r.options.code === 'string')
    .map((r) => r.options.code as string);
}

// A run's whole configuration as a shareable link: the fields that differ from the defaults, as JSON,
// deflated and base64url-encoded, after a version tag: `https://app/#run=v1.<data>`. Decoding validates
// against the schema, so a malformed or tampered link gives a LinkError that says what is wrong.
// A link is untrusted input: its token is capped at MAX_LINK_CHARS, and it is inflated as a stream in small
// pieces that stop as soon as the JSON passes MAX_LINK_JSON_BYTES (LinkTooLargeError), so a deflate bomb
// costs at most the cap in memory; JSON nested past MAX_LINK_DEPTH (which would overflow the stack of
// whatever copies or prints the config later) is refused before it is parsed, and so is JSON that is not
// an object. Bytes and base64 convert in bounded pieces (fflate), never by spreading a whole array into one
// call, so configs of any size within the cap encode.
//
//   const url = await encodeLink(cfg, location.origin + location.pathname)
//   const cfg = await decodeLink(location.href)
//   presenterLink(location.href) // `?present=1` (or `&present=1` in the fragment): the page opens in presenter mode
import { deflateSync, Inflate, strFromU8, strToU8 } from 'fflate';
import { parseRunConfig, defaultRunConfig, ConfigError, type RunConfig } from './config.ts';

export const LINK_VERSION = 'v1';
/** Largest configuration JSON a link may inflate to (real configs are a few KB; custom code at most ~100 KB). */
export const MAX_LINK_JSON_BYTES = 2 * 1024 * 1024;
/** Deepest nesting a link's JSON may have (a config nests 4 levels; reward options a few more). */
export const MAX_LINK_DEPTH = 64;
/** Longest link token read (Chromium's own limit on a URL is 2 MB). */
export const MAX_LINK_CHARS = 3 * 1024 * 1024;
// Input pushed to the inflater at a time: DEFLATE expands at most ~1032x, so one piece yields at most ~1 MB.
const INFLATE_PIECE = 1024;

export class LinkError extends Error {
  override readonly name: string = 'LinkError';
}

/** A link whose data is (or inflates to) more than any configuration needs. */
export class LinkTooLargeError extends LinkError {
  override readonly name: string = 'LinkTooLargeError';
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

const toB64url = (b: Uint8Array) => btoa(strFromU8(b, true)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64url = (s: string) => strToU8(atob(s.replace(/-/g, '+').replace(/_/g, '/')), true);

export async function encodeConfig(cfg: RunConfig): Promise<string> {
  const diff = configDiff(cfg, defaultRunConfig()) ?? {};
  return `${LINK_VERSION}.${toB64url(deflateSync(strToU8(JSON.stringify(diff)), { level: 9 }))}`;
}

/** Inflates raw DEFLATE data, stopping with LinkTooLargeError once the output passes `cap` bytes. */
export function inflateCapped(data: Uint8Array, cap: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > cap)
      throw new LinkTooLargeError(
        `the link's data inflates to more than ${cap / 1024 / 1024} MB, more than any configuration needs; it was not made by webgrpo, or was made to exhaust memory`,
      );
    parts.push(chunk);
  });
  for (let i = 0; i < data.length || i === 0; i += INFLATE_PIECE)
    inflater.push(data.subarray(i, i + INFLATE_PIECE), i + INFLATE_PIECE >= data.length);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function encodeLink(cfg: RunConfig, base: string): Promise<string> {
  return `${base.split('#')[0]}#run=${await encodeConfig(cfg)}`;
}

const DAMAGED = 'the link is damaged (its data does not decode); it may have been cut when copied';

/** The JSON a link's data inflates to; LinkError when it does not decode, or nests deeper than any config. */
function linkJson(data: string): unknown {
  // base64url only: anything else (a second ".", "%", quotes) was not written by encodeConfig
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(data)) throw new LinkError(DAMAGED);
  let text: string;
  try {
    text = strFromU8(inflateCapped(fromB64url(data), MAX_LINK_JSON_BYTES));
  } catch (e) {
    if (e instanceof LinkTooLargeError) throw e;
    throw new LinkError(DAMAGED);
  }
  const depth = jsonDepth(text);
  if (depth > MAX_LINK_DEPTH)
    throw new LinkError(
      `the link's configuration is nested ${depth} levels deep, more than any configuration (${MAX_LINK_DEPTH}); it was not made by webgrpo`,
    );
  try {
    return JSON.parse(text);
  } catch {
    throw new LinkError(DAMAGED);
  }
}

/** Deepest nesting of objects and arrays in JSON text (one pass; brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0,
    most = 0,
    inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // a backslash escapes the next character
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) most = Math.max(most, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return most;
}

/** A token's data without the white space of a wrapped link or a sentence's closing punctuation after it. */
function linkData(raw: string): string {
  const d = raw.replace(/\s+/g, '');
  let end = d.length;
  while (end > 0 && `.,;:!?)]'"`.includes(d[end - 1])) end--; // (a loop: a pattern would backtrack over runs)
  return d.slice(0, end);
}

/** The config in a link (a full URL, a `#run=...` fragment, or the bare `v1.<data>` token). */
export async function decodeLink(link: string): Promise<RunConfig> {
  const token = link.includes('run=')
    ? link
        .slice(link.indexOf('run=') + 4)
        .split('&')[0]
        .trim()
    : link.trim();
  const dot = token.indexOf('.');
  const [version, data] = dot < 0 ? [token, ''] : [token.slice(0, dot), linkData(token.slice(dot + 1))];
  if (version !== LINK_VERSION || !data)
    throw new LinkError(
      `this link is not a webgrpo run link (expected "#run=${LINK_VERSION}.<data>"); ask for the link again`,
    );
  if (data.length > MAX_LINK_CHARS)
    throw new LinkTooLargeError(
      `the link is ${data.length} characters long, more than any configuration needs (${MAX_LINK_CHARS}); it was not made by webgrpo`,
    );
  const json = linkJson(data);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new LinkError(
      `the link's configuration is invalid: it is ${json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`}, not an object of configuration fields`,
    );
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

/** The query parameter that opens the page in presenter mode: `https://app/?present=1#run=v1.<data>`. */
export const PRESENT_PARAM = 'present';

/** Whether a link asks for presenter mode (`present=1` in its query, or after the run token in its fragment). */
export function presenterLink(href: string): boolean {
  const [beforeHash, hash = ''] = href.split('#', 2);
  const query = beforeHash.includes('?') ? beforeHash.slice(beforeHash.indexOf('?') + 1) : '';
  return [query, ...hash.split('&').slice(1)].some((part) =>
    part.split('&').some((kv) => kv === PRESENT_PARAM || /^present=(1|true|yes|on)$/i.test(kv)),
  );
}

/** The same link with presenter mode on or off (in its query; the run fragment is kept as it is). */
export function withPresenter(href: string, on: boolean): string {
  const hashAt = href.indexOf('#');
  const hash = hashAt < 0 ? '' : href.slice(hashAt);
  const beforeHash = hashAt < 0 ? href : href.slice(0, hashAt);
  const qAt = beforeHash.indexOf('?');
  const path = qAt < 0 ? beforeHash : beforeHash.slice(0, qAt);
  const kept = (qAt < 0 ? '' : beforeHash.slice(qAt + 1))
    .split('&')
    .filter((kv) => kv && kv !== PRESENT_PARAM && !kv.startsWith(`${PRESENT_PARAM}=`));
  const query = on ? [...kept, `${PRESENT_PARAM}=1`] : kept;
  return `${path}${query.length ? `?${query.join('&')}` : ''}${hash}`;
}

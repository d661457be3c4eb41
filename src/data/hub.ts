// Datasets from the Hugging Face Hub, read from the Parquet files the Hub keeps for every dataset
// (GET /api/datasets/<id>/parquet/<config>/<split> lists them) with hyparquet, and cached in the browser's
// Cache Storage so a second run needs no network. The endpoint and token are the same settings models use
// (HF_ENDPOINT and HF_TOKEN on the command line, the Model tab's Hub settings in the app); the token goes
// only to the endpoint.
//
//   const rows = await loadHubSplit('openai/gsm8k', 'main', 'train', { maxRows: 10_000, endpoint, token })
import { DatasetError, type Row } from './types.ts';
import { parseParquet } from './parse.ts';
import { DEFAULT_ENDPOINT, hubAuth, hubEndpoint } from '../hub/errors.ts';

export const HUB_ENDPOINT = DEFAULT_ENDPOINT;
const CACHE_NAME = 'webgrpo-datasets';

export interface HubDataOptions {
  /** The Hub's address (default https://huggingface.co; HF_ENDPOINT on the command line). */
  endpoint?: string;
  /** Access token for gated or private datasets (HF_TOKEN), sent only to the endpoint. */
  token?: string;
  fetch?: typeof fetch;
  /** Stop after this many rows (files are read in order). */
  maxRows?: number;
  /** Use Cache Storage where the runtime has it (default true). */
  cache?: boolean;
}

export class HubDatasetError extends DatasetError {
  override readonly name: string = 'HubDatasetError';
}

/** The Hub has no such dataset, config or split (HTTP 404). */
export class HubNotFoundError extends HubDatasetError {
  override readonly name: string = 'HubNotFoundError';
}

export const HUB_DATASET_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

async function fetchOk(url: string, o: HubDataOptions, what: string): Promise<Response> {
  const f = o.fetch ?? fetch;
  const auth = url.startsWith(`${hubEndpoint(o.endpoint)}/`) ? hubAuth(o) : {};
  let res: Response;
  try {
    res = await f(url, { headers: auth });
  } catch (e) {
    throw new HubDatasetError(
      `could not reach the Hub at ${hubEndpoint(o.endpoint)} for ${what} (${(e as Error).message}); check the network and the Hub endpoint setting (HF_ENDPOINT), or use the bundled gsm8k-sample offline`,
    );
  }
  if (res.status === 404)
    throw new HubNotFoundError(`the Hub has no ${what}; check the dataset id, config and split on its page`);
  if (res.status === 401 || res.status === 403)
    throw new HubDatasetError(
      `the Hub refused ${what} (HTTP ${res.status}): the dataset is gated or private; ` +
        (o.token
          ? 'the access token given does not grant it: accept its terms on the dataset page with the account of that token'
          : 'accept its terms on the dataset page, then set HF_TOKEN (command line) or the access token setting (Model tab), or pick a public one'),
    );
  if (!res.ok) throw new HubDatasetError(`the Hub answered HTTP ${res.status} for ${what}; try again later`);
  return res;
}

/** The bytes of one file, from Cache Storage when it was fetched before. */
async function cachedBytes(url: string, o: HubDataOptions, what: string): Promise<ArrayBuffer> {
  const store = o.cache !== false && typeof caches !== 'undefined' ? await caches.open(CACHE_NAME) : null;
  const hit = await store?.match(url);
  if (hit) return hit.arrayBuffer();
  const res = await fetchOk(url, o, what);
  const bytes = await res.arrayBuffer();
  await store?.put(url, new Response(bytes.slice(0)));
  return bytes;
}

export async function hubParquetUrls(
  id: string,
  config: string,
  split: string,
  o: HubDataOptions = {},
): Promise<string[]> {
  if (!HUB_DATASET_ID.test(id))
    throw new HubDatasetError(`"${id}" is not a Hub dataset id: use owner/name, e.g. openai/gsm8k`);
  const endpoint = hubEndpoint(o.endpoint);
  const what = `dataset ${id} (config "${config}", split "${split}")`;
  const url = `${endpoint}/api/datasets/${id}/parquet/${encodeURIComponent(config)}/${encodeURIComponent(split)}`;
  const list = await (await fetchOk(url, o, what)).json();
  if (!Array.isArray(list) || list.some((u) => typeof u !== 'string'))
    throw new HubDatasetError(`the Hub's Parquet listing for ${what} is not a list of URLs`);
  return list as string[];
}

export async function loadHubSplit(id: string, config: string, split: string, o: HubDataOptions = {}): Promise<Row[]> {
  const urls = await hubParquetUrls(id, config, split, o);
  if (urls.length === 0)
    throw new HubDatasetError(`dataset ${id} has no Parquet files for config "${config}", split "${split}"`);
  const rows: Row[] = [];
  for (const url of urls) {
    const bytes = await cachedBytes(url, o, `a Parquet file of ${id}`);
    rows.push(...(await parseParquet(bytes)));
    if (o.maxRows !== undefined && rows.length >= o.maxRows) return rows.slice(0, o.maxRows);
  }
  return rows;
}

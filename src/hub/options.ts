// What a Hub download is given and reports: its options (revision, endpoint, token, cache, retries) and
// its progress. Types only, apart from download.ts so that the modules it uses (revision.ts, stream.ts)
// import them without importing it.

export interface DownloadProgress {
  file: string;
  loaded: number; // bytes of this file
  total: number; // size of this file (0 when unknown)
  bytesDone: number; // all files of the model so far (cached ones count as done)
  bytesTotal: number; // all files the model needs, from the Hub's file listing (0 when unknown)
  bytesPerSecond: number;
  etaSeconds: number | null;
  cached: boolean; // this file came from the cache
}

/** The part of the Cache Storage API the downloader uses (a Map-backed one serves Node tests). */
export interface CacheLike {
  match(url: string): Promise<Response | undefined>;
  put(url: string, res: Response): Promise<void>;
}

export interface HubOptions {
  revision?: string;
  /** The Hub's address (default https://huggingface.co; HF_ENDPOINT on the command line). */
  endpoint?: string;
  /** Access token for gated or private models (sent only to the endpoint). */
  token?: string;
  fetch?: typeof fetch;
  /** null: no caching; default: Cache Storage 'webgrpo-hub-v1' where the browser has it. */
  cache?: CacheLike | null;
  retries?: number;
  retryDelayMs?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** A file the cache refused to keep (a private window's or a full disk's quota): it downloads again next time. */
  onNotCached?: (file: string, error: Error) => void;
}

// The Hub's typed errors, each saying what to do; kept apart so download.ts and revision.ts share them.

/** The model is gated or private and no (or a wrong) access token was given. */
export class HubAccessError extends Error {
  readonly name = 'HubAccessError';
}

/** The Hub has no such model, or no such revision of it. */
export class HubNotFoundError extends Error {
  readonly name = 'HubNotFoundError';
}

export class DownloadError extends Error {
  readonly name: string = 'DownloadError';
}

/** The endpoint could not be reached (no connection, a wrong HF_ENDPOINT, a server down). */
export class HubNetworkError extends DownloadError {
  readonly name = 'HubNetworkError';
}

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** The endpoint without a trailing slash (HF_ENDPOINT is often written with one). */
export function hubEndpoint(endpoint?: string): string {
  return (endpoint?.trim() || DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

export function hubAuth(o: { token?: string }): Record<string, string> {
  return o.token ? { authorization: `Bearer ${o.token}` } : {};
}

export function accessError(id: string, endpoint: string, status: number, hadToken: boolean): HubAccessError {
  return new HubAccessError(
    `${endpoint} refused ${id} (HTTP ${status}): the model is gated or private` +
      (hadToken
        ? ', and the access token given does not grant it: accept the licence on the model page with the account of that token'
        : ': accept its licence on the model page, then set HF_TOKEN (command line) or the access token setting (Model tab)'),
  );
}

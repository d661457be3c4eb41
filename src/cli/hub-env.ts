// The Hub settings of the command line, for models and datasets alike.
import type { HubSettings } from '../worker/protocol.ts';

/** HF_ENDPOINT and HF_TOKEN, as huggingface_hub reads them. */
export function hubFromEnv(env: NodeJS.ProcessEnv = process.env): HubSettings {
  return {
    ...(env.HF_ENDPOINT?.trim() ? { endpoint: env.HF_ENDPOINT.trim() } : {}),
    ...(env.HF_TOKEN?.trim() ? { token: env.HF_TOKEN.trim() } : {}),
  };
}

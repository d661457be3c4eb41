// The checker's host in the browser: a module Web Worker, and the artefacts fetched from the app's own
// public folder (public/ocaml/, served at <base>/ocaml/).
import { appAssetUrl } from '../../hub/app-url.ts';
import { webWorkerPort } from '../checker-pool/web-port.ts';
import type { OcamlAssetBytes, OcamlHost } from './protocol.ts';

export class OcamlAssetsFetchError extends Error {
  readonly name = 'OcamlAssetsFetchError';
}

/** Where public/ocaml/ is served, from a page or a worker. */
export function defaultAssetBase(): string {
  return appAssetUrl('ocaml/');
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok)
    throw new OcamlAssetsFetchError(
      `could not load ${url} (HTTP ${res.status}); the app's public/ocaml/ folder must be deployed with it`,
    );
  return new Uint8Array(await res.arrayBuffer());
}

export function browserHost(base = defaultAssetBase()): OcamlHost {
  return {
    async init(): Promise<OcamlAssetBytes> {
      const names = new TextDecoder()
        .decode(await fetchBytes(`${base}stdlib-files.txt`))
        .split('\n')
        .filter(Boolean);
      const [runtime, ocamlc, ...files] = await Promise.all([
        fetchBytes(`${base}ocamlrun.wasm`),
        fetchBytes(`${base}ocamlc.byte`),
        ...names.map((n) => fetchBytes(`${base}stdlib/${n}`)),
      ]);
      return { runtime, ocamlc, stdlib: names.map((n, i) => [n, files[i]]) };
    },
    spawn: () => webWorkerPort(new Worker(new URL('./checker.worker.ts', import.meta.url), { type: 'module' })),
  };
}

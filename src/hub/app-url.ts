// URLs of files the app serves from its public folder (the demo model, the OCaml compiler), from a page or
// a worker. The app is built with a relative base ('./'), which a page resolves against its own address;
// a worker's address is its script's, and Vite puts built scripts one folder below the app (assets/),
// while in dev modules are served from their source paths under the root.
export function appAssetUrl(sub: string): string {
  const base = import.meta.env?.BASE_URL ?? './';
  if (typeof document !== 'undefined') return new URL(`${base}${sub}`, document.baseURI).href;
  if (base.startsWith('/') || /^[a-z]+:/i.test(base)) return new URL(`${base}${sub}`, location.origin).href;
  const root = import.meta.env?.DEV ? new URL('/', location.href) : new URL(/* @vite-ignore */ '../', import.meta.url);
  return new URL(`${base}${sub}`, root).href;
}

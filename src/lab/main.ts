// The lab page (lab.html): exposes the engine's in-browser checks and benchmarks on `window.webgrpoLab`,
// so that Playwright (e2e tests, `webgrpo bench --browser`) can run them in a real WebGPU page.
// Each file in src/lab/entries/ exports functions; they are merged here without a central list.
const entries = import.meta.glob<Record<string, unknown>>('./entries/*.ts', { eager: true });

const lab: Record<string, unknown> = {};
for (const mod of Object.values(entries)) Object.assign(lab, mod);
(globalThis as unknown as { webgrpoLab: Record<string, unknown> }).webgrpoLab = lab;
document.getElementById('log')!.textContent += `\nready: ${Object.keys(lab).sort().join(', ')}`;
document.body.dataset.ready = '1';

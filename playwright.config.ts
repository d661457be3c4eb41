// End-to-end tests: Debian's Chromium (never a downloaded browser), headless, with WebGPU on
// SwiftShader, against the built app served by `vite preview` on localhost (WebGPU needs a secure context).
import { defineConfig } from '@playwright/test';

const chromium = process.env.WEBGRPO_CHROMIUM ?? '/usr/bin/chromium';
const port = Number(process.env.WEBGRPO_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 600_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    launchOptions: {
      executablePath: chromium,
      args: [
        '--enable-unsafe-webgpu',
        '--enable-features=Vulkan',
        '--use-angle=swiftshader',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});

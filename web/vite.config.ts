// The dashboard's build (docs/dashboard.md). CMake runs `npm run build` with BULWARK_WEB_OUT set
// to a folder of its build tree and embeds what lands there; by hand it goes to web/dist.
import { gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The budget of docs/dev/posture-design.md §7.1: JavaScript + CSS, gzip-compressed.
const BUDGET_BYTES = 120 * 1024;

// Fails the build when the scripts and styles together grow past the budget.
function budget(): Plugin {
  return {
    name: 'bulwark-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let total = 0;
      for (const [name, item] of Object.entries(bundle)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const text = item.type === 'chunk' ? item.code : item.source;
        total += gzipSync(typeof text === 'string' ? text : Buffer.from(text)).length;
      }
      if (total > BUDGET_BYTES) {
        this.error(
          `JS + CSS is ${total} bytes gzip-compressed, over the budget of ${BUDGET_BYTES}`,
        );
      }
    },
  };
}

export default defineConfig({
  plugins: [preact(), budget()],
  base: '/',
  build: {
    outDir: process.env.BULWARK_WEB_OUT ?? 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The server serves one flat folder of hashed files (src/server/web_assets.cpp).
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});

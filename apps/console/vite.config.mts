import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console builds into dist/console beside the API's dist/, where the API serves it from.
 * Without @vitejs/plugin-react: JSX goes through Vite's own transform (automatic runtime, as
 * tsconfig says), and hot reload is not needed for a bundle the API serves.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // Mantine and TanStack Query mark their modules "use client" for React Server Components,
      // which a client-only bundle has no use for: the directive is dropped, nothing else.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});

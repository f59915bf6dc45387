import { defineConfig } from "vitest/config";

// The Tauri shell loads the built files from ../ui/dist (frontendDist);
// `tauri dev` uses the dev server on a fixed port.
export default defineConfig({
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: "127.0.0.1" },
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    // One small app shell: keep ECharts in its own chunk, loaded with History.
    chunkSizeWarningLimit: 1200,
  },
  test: {
    environment: "jsdom",
    globals: true,
    restoreMocks: true,
  },
});

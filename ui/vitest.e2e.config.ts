import { defineConfig } from "vitest/config";

// End-to-end tests against the real app window through tauri-driver;
// run by scripts/e2e.sh (which builds the app and starts Xvfb and the driver).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});

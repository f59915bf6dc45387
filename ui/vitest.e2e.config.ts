import { defineConfig } from "vitest/config";

// End-to-end tests against the real app window through tauri-driver;
// run by scripts/e2e.sh (which builds the app and starts Xvfb and the driver).
export default defineConfig({
  test: {
    // scripts/screenshots.sh sets E2E_SHOTS to run the screenshot script instead
    include: process.env.E2E_SHOTS ? ["e2e/**/*.shots.ts"] : ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});

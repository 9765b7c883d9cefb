// Browser tests against the embedded stack of real processes. tests/console/test_browser.py starts the stack
// and the console server and runs `npx playwright test` with CONSOLE_URL set; Chromium is Debian's package.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  fullyParallel: false,
  workers: 1, // one person after another, on a 2-core machine
  retries: 0,
  timeout: 300_000, // generous: the tier shares two cores with everything else in `make test`
  expect: { timeout: 45_000 },
  reporter: [["list"]],
  outputDir: process.env.PLAYWRIGHT_OUTPUT_DIR ?? "test-results",
  use: {
    baseURL: process.env.CONSOLE_URL ?? "http://127.0.0.1:8100",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1360, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox"],
    },
  },
});

// Browser tests against the embedded stack of real processes. tests/console/test_browser.py starts the stack
// and the console server and runs `npx playwright test` with CONSOLE_URL set; Chromium is Debian's package.
// tests/walk/ needs a stack with workers and Ray Serve: tests/console/test_browser_walk.py starts one and selects
// it with PLAYWRIGHT_SUITE=walk; the other specs never run against that stack, nor the walk against theirs.
import { defineConfig } from "@playwright/test";

const walk = process.env.PLAYWRIGHT_SUITE === "walk";

export default defineConfig({
  testDir: walk ? "tests/walk" : "tests",
  testIgnore: walk ? [] : ["walk/**"],
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

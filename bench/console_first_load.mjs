// The browser half of bench/bench_console.py: Debian's Chromium through playwright-core (the console's own
// dependency, resolved from console/node_modules) loads the console, signs in with the development issuer and waits
// for the dashboard to finish loading; every response's size on the wire comes from the DevTools protocol
// (Network.loadingFinished: headers and body as received, compressed where the server compressed).
// Prints one JSON object: {runs: [{cold, ...timings, bytes}], warm: {...}}.
//   node bench/console_first_load.mjs --url http://127.0.0.1:8100 --runs 5 --chromium /usr/bin/chromium
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(new URL("../console/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    runs: { type: "string", default: "5" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
    subject: { type: "string", default: "bench.viewer@plant.example" },
  },
});
if (!values.url) throw new Error("--url (the console's address) is required");
const origin = new URL(values.url).origin;

/** One visit: navigation → sign-in screen → (signed in) → dashboard with every panel answered. */
async function visit(page, cdp) {
  const sizes = new Map(); // requestId → {url, bytes}
  const urls = new Map();
  const onResponse = (e) => urls.set(e.requestId, e.response.url);
  const onFinished = (e) => sizes.set(e.requestId, { url: urls.get(e.requestId) ?? "", bytes: e.encodedDataLength });
  cdp.on("Network.responseReceived", onResponse);
  cdp.on("Network.loadingFinished", onFinished);
  const start = Date.now();
  await page.goto(values.url, { waitUntil: "commit" });
  await page.getByRole("heading", { name: "Sign in to Tuneline" }).waitFor();
  const signInShown = Date.now() - start;
  await page.getByLabel("Person").fill(values.subject);
  await page.getByRole("checkbox", { name: "viewer", exact: true }).check();
  const submitted = Date.now();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard", exact: true }).waitFor();
  const dashboardShown = Date.now() - submitted;
  // Rendered with its data: no panel still says "Loading …" (each is a role=status while its query runs).
  await page.waitForFunction(() => ![...document.querySelectorAll('[role="status"]')].some((n) => n.textContent?.startsWith("Loading")));
  const dashboardLoaded = Date.now() - submitted;
  await page.waitForLoadState("networkidle").catch(() => {});
  cdp.off("Network.responseReceived", onResponse);
  cdp.off("Network.loadingFinished", onFinished);
  const bytes = { console: 0, api: 0, consoleFiles: [], requests: 0 };
  for (const { url, bytes: n } of sizes.values()) {
    bytes.requests += 1;
    if (url.startsWith(origin)) {
      bytes.console += n;
      bytes.consoleFiles.push(new URL(url).pathname);
    } else bytes.api += n;
  }
  return { signInShown, dashboardShown, dashboardLoaded, total: signInShown + dashboardLoaded, bytes };
}

const browser = await chromium.launch({ executablePath: values.chromium, args: ["--no-sandbox"] });
try {
  const runs = [];
  let warm = null;
  for (let i = 0; i < Number(values.runs); i++) {
    // A fresh context per run: an empty cache, as a person's first visit.
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    runs.push(await visit(page, cdp));
    if (i === 0) {
      // The same browser again (cached files; the session is in memory, so a reload signs in again).
      warm = await visit(page, cdp);
    }
    await context.close();
  }
  console.log(JSON.stringify({ runs, warm }));
} finally {
  await browser.close();
}

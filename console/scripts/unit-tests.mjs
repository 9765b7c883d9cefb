// The console's unit tests: src/**/*.test.ts on Node's own test runner (node:test). Vite loads each file as it
// builds the app (TypeScript, the "@/" alias), so the tests need nothing the console does not already install.
// `npm run test:unit`; tests/console/test_unit.py runs it with the Python suite.
import { readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "vite";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".test.ts")) files.push(path);
  }
};
walk(join(root, "src"));
if (!files.length) {
  console.error("no unit test found under src/ (*.test.ts)");
  process.exit(1);
}

const vite = await createServer({
  root,
  configFile: join(root, "vite.config.ts"),
  logLevel: "error",
  appType: "custom",
  server: { middlewareMode: true, hmr: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
});
try {
  // Evaluating a file registers its tests; node:test runs them once the script's own work is done and sets the
  // exit code when one fails.
  for (const file of files) await vite.ssrLoadModule("/" + relative(root, file));
} finally {
  await vite.close();
}

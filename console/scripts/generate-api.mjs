// Types of the six services' REST APIs, generated from the OpenAPI documents `tuneline docs` writes to
// docs/openapi/. `--check` regenerates in memory and fails when a checked-in file differs (a stale client).
import { readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const specs = resolve(here, "../../docs/openapi");
const out = resolve(here, "../src/api/generated");
const check = process.argv.includes("--check");

const stale = [];
for (const file of readdirSync(specs).filter((f) => f.endsWith(".json")).sort()) {
  const service = file.replace(/\.json$/, "");
  const ast = await openapiTS(pathToFileURL(join(specs, file)));
  const text =
    `// Generated from docs/openapi/${file} by scripts/generate-api.mjs (npm run generate). Do not edit.\n` +
    astToString(ast);
  const target = join(out, `${service}.ts`);
  if (check) {
    if (!existsSync(target) || readFileSync(target, "utf8") !== text) stale.push(target);
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
if (check) {
  if (stale.length) {
    console.error(`stale generated API types: ${stale.join(", ")} — run \`npm run generate\` in console/`);
    process.exit(1);
  }
  console.log("generated API types are up to date");
}

// Prints the production bundle's size (raw and gzipped) and fails above the budget: 400 KB gzipped.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 400;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(js|css|html)$/.test(name)) files.push(path);
  }
};
walk(dist);
let raw = 0;
let gz = 0;
for (const file of files) {
  const data = readFileSync(file);
  raw += data.length;
  gz += gzipSync(data, { level: 9 }).length;
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`bundle: ${files.length} files, ${kb(raw)} KB raw, ${kb(gz)} KB gzipped (budget ${BUDGET_KB} KB gzipped)`);
if (gz > BUDGET_KB * 1024) {
  console.error(`bundle over budget: ${kb(gz)} KB gzipped > ${BUDGET_KB} KB`);
  process.exit(1);
}

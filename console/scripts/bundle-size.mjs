// Prints the gzipped size of the built console (every .js and .css under DIR/assets, gzip level 9, what a
// browser downloads from a compressing proxy) and fails the build above the budget of issue 7: 300 KB.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dir = join(process.argv[2] ?? 'dist', 'assets');
let raw = 0;
let gz = 0;
const rows = [];
for (const name of readdirSync(dir).sort()) {
  if (!/\.(js|css)$/.test(name)) continue;
  const data = readFileSync(join(dir, name));
  const z = gzipSync(data, { level: 9 }).length;
  raw += data.length;
  gz += z;
  rows.push(`  ${name.padEnd(32)} ${(data.length / 1024).toFixed(1).padStart(8)} KB ${(z / 1024).toFixed(1).padStart(8)} KB gzipped`);
}
console.log(rows.join('\n'));
console.log(`console bundle: ${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (gz > BUDGET) {
  console.error('console bundle: over the budget');
  process.exit(1);
}

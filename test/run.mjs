// Runs every *.test.ts under server/test and test/ with node's test runner (through tsx).
// Set BPFLS_TEST_FILTER=substring to run a subset; BPFLS_LONG=1 enables long differential/fuzz runs.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'fixtures') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filter = process.env.BPFLS_TEST_FILTER ?? '';
const files = [...walk('server/test', []), ...walk('test', [])].filter((f) => f.includes(filter)).sort();
if (files.length === 0) { console.error('no test files found'); process.exit(1); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);

// Runs every bench/*.bench.ts (through tsx) one after another; each prints its own figures,
// with ratios against a baseline measured in the same run (the kernel, or another implementation).
// BPFLS_BENCH_FILTER=substring selects a subset.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const filter = process.env.BPFLS_BENCH_FILTER ?? '';
const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

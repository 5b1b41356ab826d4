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
  // the verifier runs in the language server's analysis worker, whose young generation is 192 MB
  // (server/src/server/analysis-worker.ts): V8 sizes it as 3 semi-spaces, so 64 MB each here
  const heap = f.startsWith('verify') ? ['--max-semi-space-size=64'] : [];
  const r = spawnSync(process.execPath, [...heap, '--import', 'tsx', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

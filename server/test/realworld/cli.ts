// Measures bpfls against the kernel on test/corpus-real: prints figures, timing and every
// disagreement. --refresh loads every object live and rewrites the cache; --baseline records the floor.
//   node --import tsx server/test/realworld/cli.ts [--refresh] [--baseline] [--timing] [file.c...]
// --timing verifies each program 5 times and keeps the fastest (kernel times come from live runs only).
import { join } from 'node:path';
import { summaryLine } from '../diff/compare';
import { bpflsVerdicts, buildReal, cleanupReal, disagreements, kernelVerdicts, realDir, realFigures, timing, writeRealBaseline, listRealFiles } from './realworld';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const files = args.filter((a) => a.endsWith('.c')).map((f) => (f.includes('/') ? f : join(realDir, f)));
  const run = buildReal(files.length ? files : listRealFiles());
  try {
    for (const e of run.compileErrors) console.log(`COMPILE ${e}`);
    const kernel = kernelVerdicts(run, { refresh: args.includes('--refresh') });
    await bpflsVerdicts(run, kernel, { repeat: args.includes('--timing') ? 5 : 1 });
    for (const n of run.notes) console.log(`note: ${n}`);
    for (const d of disagreements(kernel)) console.log(d);
    const f = realFigures(kernel, true);
    console.log(summaryLine(f));
    const t = timing(kernel);
    if (t.n) console.log(`time bpfls/kernel over ${t.n} programs: median ${t.medianRatio.toFixed(2)}x, worst ${t.worstRatio.toFixed(1)}x (${t.worstId}); over 10x: ${t.over10x.join(', ') || 'none'}`);
    if (args.includes('--baseline')) writeRealBaseline(f);
  } finally {
    cleanupReal(run);
  }
}

void main();

// Development report: every corpus (and quick generated) program where bpfls and the kernel differ.
//   node --import tsx server/test/verifier/corpus-report.ts [--gen] [--all]
import { readFileSync } from 'node:fs';
import { collectCorpus, cleanup, kernelForGenerated, quickGenerated } from '../diff/run';
import { bpflsLoad } from '../diff/bpfls';
import { toLoadedObject } from '../diff/gen';
import { verifyProgram } from '../../src/bpf/verifier/index';
import type { LoadedObject, LoadedProgram } from '../../src/bpf/loader/types';

const all = process.argv.includes('--all');
let n = 0, agree = 0, shared = 0, same = 0, unsound = 0, strict = 0;

function one(id: string, k: { ok: boolean | null; error_line?: string | null }, obj: LoadedObject, prog: LoadedProgram): void {
  if (k.ok === null) return;
  n++;
  let ok: boolean, msg: string;
  try {
    const t0 = Date.now();
    const r = verifyProgram(obj, prog, { timeBudgetMs: 4000 });
    ok = r.ok; msg = r.error?.message ?? (r.notes.join('; ') || '');
    if (Date.now() - t0 > 500) console.log(`SLOW ${id}: ${Date.now() - t0} ms, processed ${r.processed}, kernel ${(k as { processed?: number }).processed ?? '?'}`);
  } catch (e) {
    ok = false; msg = 'CRASH ' + String((e as Error).stack).split('\n').slice(0, 4).join(' | ');
  }
  if (ok === k.ok) agree++;
  if (ok && !k.ok) unsound++;
  if (!ok && k.ok) strict++;
  const sameMsg = !ok && !k.ok && msg.trim() === (k.error_line ?? '').trim();
  if (!ok && !k.ok) { shared++; if (sameMsg) same++; }
  if (!all && ok === k.ok && (ok || sameMsg)) return;
  console.log(`${id}\n   kernel: ${k.ok ? 'ok' : k.error_line}\n   bpfls:  ${ok ? 'ok' : msg}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--gen')) {
    const g = kernelForGenerated(quickGenerated(), { useCache: true });
    for (const p of g.programs) {
      const k = g.kernel.get(p.name);
      if (!k) continue;
      const { obj, prog } = toLoadedObject(p);
      one(p.name, k, obj, prog);
    }
  } else {
    const run = collectCorpus();
    try {
      const loaded = new Map<string, Awaited<ReturnType<typeof bpflsLoad>>>();
      for (const p of run.programs) {
        if (!p.kernel || !p.objPath) continue;
        if (!loaded.has(p.file)) loaded.set(p.file, await bpflsLoad(readFileSync(p.objPath)));
        const l = loaded.get(p.file)!;
        const prog = l.obj?.programs.find((x) => x.name === p.ann.prog);
        if (!l.obj || !prog) continue;
        one(`${p.file}:${p.ann.prog}`, p.kernel, l.obj, prog);
      }
    } finally {
      cleanup(run);
    }
  }
  const pct = (a: number, b: number): string => (b ? ((100 * a) / b).toFixed(1) : '0');
  console.log(`agreement ${pct(agree, n)}% (${agree}/${n}), unsound ${unsound}, over-strict ${strict}, same message ${pct(same, shared)}% (${same}/${shared})`);
}
void main();

// Verifier log agreement: how much of the running kernel's verifier log (levels 1 and 2) bpfls
// reproduces, line for line and in order, on the same programs.
//
//   node --import tsx server/test/verifier/log-diff.ts [--level 1|2] [--real] [--show N] [--prog NAME] [--write-cache]
//
// For each rejected program (the kernel logs a trace at the retry level only on failure) the score
// is LCS(kernel lines, bpfls lines) / kernel lines after normalize() below. Kernel logs come from
// test/oracle/bpfverify.c (--log-level L --tail big); bpfls's from verifyProgram({ logLevel: L }).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadObject } from '../../src/bpf/loader';
import { verifyProgram } from '../../src/bpf/verifier';
import { runningKernelLoadOptions } from '../../src/toolchain/running-kernel';
import { oracle } from '../diff/oracle';
import { buildDir, clangAvailable, compileCorpusFile, listCorpusFiles } from '../diff/corpus';
import { compileReal, listRealFiles, generateVmlinuxH } from '../realworld/realworld';

/** Lines that differ by design or by load: kernel addresses, timing, and BPF_LOG_STATS lines that
 * bpfverify's retry (level | 4) adds. */
export function normalize(log: string): string[] {
  const out: string[] = [];
  for (let l of log.split('\n')) {
    if (/^verification time \d+ usec$/.test(l) || /^stack depth [\d+]+$/.test(l)) continue;
    l = l.replace(/= 0xffff[0-9a-f]{12}\b/g, '= map[addr]').replace(/= map\[id:\d+\](\[0\]\+\d+)?/g, '= map[addr]');
    // the address is unknowable, so the column of the state after it is not compared either
    if (l.includes('= map[addr]')) l = l.replace(/ +;/, ' ;');
    l = l.replace(/\s+$/, '');
    if (l === '') continue;
    out.push(l);
  }
  return out;
}

/** Length of the longest common subsequence of two line arrays (O(n*m) time, O(m) memory). */
export function lcs(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const ids = new Map<string, number>();
  const id = (s: string): number => { let v = ids.get(s); if (v === undefined) { v = ids.size; ids.set(s, v); } return v; };
  const A = a.map(id), B = b.map(id);
  let prev = new Int32Array(B.length + 1), cur = new Int32Array(B.length + 1);
  for (let i = 1; i <= A.length; i++) {
    for (let j = 1; j <= B.length; j++) cur[j] = A[i - 1] === B[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    [prev, cur] = [cur, prev];
  }
  return prev[B.length];
}

export interface LogCase { file: string; prog: string; level: number; kernel: string[]; bpfls: string[]; common: number }

/** Kernel logs of the rejected programs of one object at a level: prog name -> raw log. */
export function kernelLogs(objPath: string, level: number, prog?: string): Map<string, string> {
  const res = new Map<string, string>();
  const o = oracle();
  if (!o.ok) return res;
  const args = ['--log-level', String(level), '--tail', '1000000', 'obj', objPath, ...(prog ? [prog] : [])];
  const r = spawnSync(o.bin, args, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as { prog?: string; ok: boolean | null; log_tail?: string };
      if (v.ok === false && v.prog && v.log_tail) res.set(v.prog, v.log_tail);
    } catch { /* cut line */ }
  }
  return res;
}

let vmlinuxBtf: Uint8Array | undefined | null = null;
export function bpflsLogs(objPath: string, level: 1 | 2, progs: Iterable<string>): Map<string, string> {
  if (vmlinuxBtf === null) { try { vmlinuxBtf = readFileSync('/sys/kernel/btf/vmlinux'); } catch { vmlinuxBtf = undefined; } }
  const loaded = loadObject(readFileSync(objPath), vmlinuxBtf ? { targetBtf: vmlinuxBtf, ...runningKernelLoadOptions() } : {});
  const res = new Map<string, string>();
  if (!loaded.object) return res;
  const want = new Set(progs);
  for (const p of loaded.object.programs) {
    if (!want.has(p.name)) continue;
    res.set(p.name, verifyProgram(loaded.object, p, { logLevel: level }).log);
  }
  return res;
}

export function compare(file: string, level: 1 | 2, kernel: Map<string, string>, bpfls: Map<string, string>): LogCase[] {
  const out: LogCase[] = [];
  for (const [prog, klog] of kernel) {
    const k = normalize(klog);
    const b = normalize(bpfls.get(prog) ?? '');
    if (k.length > 20000 || b.length > 20000) continue; // LCS cost bound; such logs are rotated anyway
    out.push({ file, prog, level, kernel: k, bpfls: b, common: lcs(k, b) });
  }
  return out;
}

export function summary(cases: readonly LogCase[]): { programs: number; kernelLines: number; common: number; pooled: number; meanPerProg: number; exact: number } {
  let kl = 0, c = 0, sum = 0, exact = 0;
  for (const x of cases) {
    kl += x.kernel.length; c += x.common; sum += x.kernel.length ? x.common / x.kernel.length : 1;
    if (x.common === x.kernel.length && x.bpfls.length === x.kernel.length) exact++;
  }
  return { programs: cases.length, kernelLines: kl, common: c, pooled: kl ? c / kl : 1, meanPerProg: cases.length ? sum / cases.length : 1, exact };
}

/** A line diff (kernel '-', bpfls '+') for display. */
export function showDiff(k: readonly string[], b: readonly string[]): string {
  const n = k.length, m = b.length;
  const t: Int32Array[] = [];
  for (let i = 0; i <= n; i++) t.push(new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i][j] = k[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out: string[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && k[i] === b[j]) { out.push(`  ${k[i]}`); i++; j++; }
    else if (j < m && (i >= n || t[i][j + 1] >= t[i + 1][j])) out.push(`+ ${b[j++]}`);
    else out.push(`- ${k[i++]}`);
  }
  return out.join('\n');
}

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const levels = (opt('--level') ? [Number(opt('--level'))] : [1, 2]) as (1 | 2)[];
  const show = Number(opt('--show') ?? 0);
  const only = opt('--prog');
  const o = oracle();
  if (!o.ok) { console.log(`log-diff: ${o.reason}`); return; }
  const cl = clangAvailable();
  if (!cl.ok) { console.log(`log-diff: ${cl.reason}`); return; }
  const dir = buildDir();
  const objs: { file: string; obj: string }[] = [];
  const sets = argv.includes('--real') ? ['real'] : argv.includes('--all') ? ['corpus', 'real'] : ['corpus'];
  if (sets.includes('corpus')) {
    for (const f of listCorpusFiles()) { const c = compileCorpusFile(f, dir); if (c.objPath) objs.push({ file: c.file, obj: c.objPath }); }
  }
  if (sets.includes('real')) {
    generateVmlinuxH(dir);
    for (const f of listRealFiles()) { const c = compileReal(f, dir); if (c.objPath) objs.push({ file: f.split('/').pop()!, obj: c.objPath }); }
  }
  const all: LogCase[] = [];
  for (const level of levels) {
    const cases: LogCase[] = [];
    for (const { file, obj } of objs) {
      const k = kernelLogs(obj, level, only);
      if (k.size === 0) continue;
      cases.push(...compare(file, level, k, bpflsLogs(obj, level, k.keys())));
    }
    const s = summary(cases);
    console.log(`level ${level}: ${s.programs} rejected programs, kernel lines ${s.kernelLines}, reproduced in order ${s.common} (${(100 * s.pooled).toFixed(1)}%), mean per program ${(100 * s.meanPerProg).toFixed(1)}%, identical logs ${s.exact}`);
    all.push(...cases);
  }
  if (show) {
    const worst = [...all].sort((a, b) => (a.common / a.kernel.length) - (b.common / b.kernel.length) || a.kernel.length - b.kernel.length).slice(0, show);
    for (const c of worst) console.log(`\n=== ${c.file} ${c.prog} level ${c.level}: ${c.common}/${c.kernel.length}\n${showDiff(c.kernel, c.bpfls)}`);
  }
  if (argv.includes('--missing')) {
    // the most frequent kinds of kernel lines bpfls misses, by a shape with numbers blanked
    const counts = new Map<string, number>();
    for (const c of all) {
      const b = new Set(c.bpfls);
      for (const l of c.kernel) if (!b.has(l)) { const s = l.replace(/^\d+:/, 'N:').replace(/;.*/, '; ...').slice(0, 60); counts.set(s, (counts.get(s) ?? 0) + 1); }
    }
    for (const [s, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${String(n).padStart(6)}  ${s}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) main();

// Verification time of bpfls against the kernel's own "verification time" on the same programs.
//   node --import tsx server/test/verifier/bench-verify.ts [FILE.c ...]   (default: test/corpus/scale.c, loops.c)
// bpfls time is the CPU time of verifyProgram in this process; the kernel's comes from its log
// (log_level 4, BPF_LOG_STATS) via kernel-oracle.py. Prints one line per program and the ratios.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { loadObject } from '../../src/bpf/loader';
import { verifyProgram } from '../../src/bpf/verifier';

const root = join(__dirname, '../../..');
const files = process.argv.slice(2).length ? process.argv.slice(2) : ['test/corpus/scale.c', 'test/corpus/loops.c'].map((f) => join(root, f));
const dir = mkdtempSync(join(tmpdir(), 'bpfls-bench-'));
const ratios: number[] = [];
try {
  for (const file of files) {
    const out = join(dir, 'x.o');
    const cc = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', `-I${join(root, 'test/corpus')}`, '-c', file, '-o', out], { encoding: 'utf8' });
    if (cc.status !== 0) { console.log(`${file}: clang failed`); continue; }
    const obj = loadObject(readFileSync(out)).object;
    if (!obj) continue;
    for (const prog of obj.programs) {
      const c0 = process.cpuUsage();
      const r = verifyProgram(obj, prog, { timeBudgetMs: 120000 });
      const c1 = process.cpuUsage(c0);
      const bpflsUs = c1.user + c1.system;
      const req = {
        progType: prog.progType, expectedAttachType: prog.expectedAttachType, logLevel: 4, license: 'GPL',
        insns: prog.insns.map((i) => [i.code, i.dst, i.src, i.off, i.imm]),
        maps: obj.maps.map((m) => ({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries || 1, flags: m.flags,
          name: m.name, initialValue: m.initialValue ? Buffer.from(m.initialValue).toString('hex') : null, frozen: m.frozen })),
      };
      const k = spawnSync('python3', [join(__dirname, 'kernel-oracle.py')], { input: JSON.stringify(req), encoding: 'utf8' });
      const kv = k.status === 0 ? JSON.parse(k.stdout) as { ok?: boolean; verification_time_usec?: number; processed?: number; skip?: string } : {};
      const kUs = kv.verification_time_usec;
      const ratio = kUs ? bpflsUs / Math.max(kUs, 1) : undefined;
      if (ratio !== undefined && r.ok === kv.ok) ratios.push(ratio);
      console.log(`${prog.name.padEnd(34)} bpfls ${r.ok ? 'ok ' : 'rej'} ${String(r.processed).padStart(7)} insns ${(bpflsUs / 1000).toFixed(1).padStart(9)} ms | kernel ${kv.skip ? kv.skip : `${kv.ok ? 'ok ' : 'rej'} ${String(kv.processed ?? '?').padStart(7)} insns ${kUs === undefined ? '?' : (kUs / 1000).toFixed(1).padStart(8)} ms`}${ratio ? ` | x${ratio.toFixed(1)}` : ''}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
ratios.sort((a, b) => a - b);
if (ratios.length) console.log(`bpfls/kernel time over ${ratios.length} programs with the same verdict: median x${ratios[ratios.length >> 1].toFixed(1)}, worst x${ratios[ratios.length - 1].toFixed(1)}`);

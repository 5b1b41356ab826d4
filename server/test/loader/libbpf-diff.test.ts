// Differential test: our loader's final instructions and line_info against libbpf's, per program,
// over the hand-written loader corpus, the examples and generated programs.
// Default: the corpus plus a few generated objects; BPFLS_LONG=1: at least 200 objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDumper, compareObject, compile, findClang, repoRoot, runDumper } from './oracle';
import { generateProgram } from './gen-objects';
import { parseBtf, type Btf } from '../../src/bpf/btf/btf';

const LONG = process.env.BPFLS_LONG === '1';

test('loader matches libbpf: final instructions and line_info', async (t) => {
  const clang = findClang();
  if (!clang) return t.skip('clang is not installed');
  const dumper = buildDumper();
  if (!dumper.path) return t.skip(dumper.why!);
  t.after(() => rmSync(join(dumper.path!, '..'), { recursive: true, force: true }));
  let target: Btf | undefined;
  try { target = parseBtf(readFileSync('/sys/kernel/btf/vmlinux')).btf; } catch { /* no kernel BTF */ }
  if (!target) return t.skip('/sys/kernel/btf/vmlinux is not readable: libbpf needs it for CO-RE and kfuncs');
  const work = mkdtempSync(join(tmpdir(), 'bpfls-loaderdiff-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const sources: { name: string; path: string; flags?: string[] }[] = [];
  // the long run also compiles the hand-written corpus for other CPU versions and -O1, which
  // changes instruction selection, relocation shapes and line_info
  const variants: string[][] = LONG ? [[], ['-mcpu=v2'], ['-mcpu=v4'], ['-O1']] : [[]];
  for (const dir of ['test/corpus-loader', 'examples']) {
    const d = join(repoRoot, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) {
      if (!f.endsWith('.bpf.c')) continue;
      for (const v of variants) sources.push({ name: `${dir}/${f}${v.length ? ` ${v.join(' ')}` : ''}`, path: join(d, f), flags: v });
    }
  }
  const nGen = LONG ? Math.max(200 - sources.length, 0) + 40 : 6;
  for (let i = 0; i < nGen; i++) {
    const p = join(work, `gen${i}.bpf.c`);
    writeFileSync(p, generateProgram(i + 1));
    sources.push({ name: `generated #${i + 1}`, path: p });
  }
  let objects = 0;
  let progs = 0;
  let lines = 0;
  const failures: string[] = [];
  const skipped: string[] = [];
  const t0 = Date.now();
  for (const s of sources) {
    const obj = join(work, `${objects}-${s.name.replace(/[^a-z0-9]/gi, '_')}.o`);
    const err = compile(clang, s.path, obj, [`-I${join(repoRoot, 'test/corpus-loader')}`, '-D__TARGET_ARCH_x86', ...(s.flags ?? [])]);
    if (err) {
      if (s.name.startsWith('generated')) failures.push(`${s.name}: generator produced code clang rejects: ${err}`);
      else skipped.push(`${s.name}: does not compile here`);
      continue;
    }
    const oracle = runDumper(dumper.path, obj);
    if (oracle.error || oracle.progs.length === 0) {
      skipped.push(`${s.name}: libbpf did not relocate it (${oracle.error ?? `load error ${oracle.loadError}`})`);
      continue;
    }
    const c = compareObject(obj, oracle, target);
    objects++;
    progs += c.progs;
    lines += c.lines;
    for (const m of c.mismatches) failures.push(`${s.name}: ${m}`);
  }
  t.diagnostic(`${objects} objects, ${progs} programs, ${lines} line_info records compared in ${Date.now() - t0} ms`);
  for (const s of skipped) t.diagnostic(`skipped ${s}`);
  assert.deepEqual(failures, []);
  assert.ok(objects >= (LONG ? 200 : 5), `only ${objects} objects compared`);
});

// bpfls's processed-instruction count against the kernel's ("processed N insns"): the same count
// means the same exploration (pruning points, precision, checkpoints), which matters for the 1M
// complexity limit ("BPF program is too large") and for the log a user compares. Kernel counts come
// from the committed verdict cache (test/corpus/kernel-verdicts.json, valid while the object's hash
// matches) or live from the kernel oracle; without either (or without clang) the test skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildDir, clangAvailable, compileCorpusFile, corpusDir, readKernelCache, type CachedVerdict } from '../diff/corpus';
import { kernelVerifyObject, oracle } from '../diff/oracle';
import { loadObject } from '../../src/bpf/loader';
import { verifyProgram } from '../../src/bpf/verifier';

/** the scale programs: each within this fraction of the kernel's count */
const SCALE_TOLERANCE = 0.05;
/** other corpus files: this share of the accepted programs within PROGRAM_TOLERANCE */
const CORPUS_FILES = ['loops.c', 'bounds.c', 'packet.c', 'stack.c', 'regs.c', 'alu.c', 'cfg.c', 'helpers.c', 'ptr.c', 'callbacks.c', 'callback_iter.c', 'linked_scalars.c'];
const PROGRAM_TOLERANCE = 0.1;
const MIN_SHARE = 0.9;

interface Row { id: string; kernel: number; bpfls: number; ok: boolean }

function kernelCounts(file: string, objPath: string, sha: string): Map<string, CachedVerdict> | string {
  const cached = readKernelCache().files[file];
  if (cached && cached.objSha256 === sha) return new Map(Object.entries(cached.programs));
  const o = oracle();
  if (!o.ok) return `${file}: no cached kernel verdict for this object and ${o.reason}`;
  const r = kernelVerifyObject(objPath);
  if (r.error && !r.verdicts.length) return `${file}: ${r.error}`;
  return new Map(r.verdicts.map((v) => [v.prog ?? v.name ?? '', v]));
}

function measure(file: string, dir: string): Row[] | string {
  const c = compileCorpusFile(join(corpusDir, file), dir);
  if (!c.objPath || !c.objSha256) return `${file}: ${c.error ?? 'not compiled'}`;
  const k = kernelCounts(file, c.objPath, c.objSha256);
  if (typeof k === 'string') return k;
  const obj = loadObject(readFileSync(c.objPath)).object;
  if (!obj) return `${file}: not loaded`;
  const rows: Row[] = [];
  for (const prog of obj.programs) {
    const v = k.get(prog.name);
    if (!v || v.ok !== true || !v.processed) continue; // accepted programs: rejections stop wherever the first error is
    const r = verifyProgram(obj, prog, { timeBudgetMs: 60_000 });
    rows.push({ id: `${file}:${prog.name}`, kernel: v.processed, bpfls: r.processed, ok: r.ok });
  }
  return rows;
}

const off = (r: Row): number => Math.abs(r.bpfls - r.kernel) / r.kernel;
const line = (r: Row): string => `${r.id}: bpfls ${r.bpfls} kernel ${r.kernel} (${(r.bpfls / r.kernel).toFixed(2)}x)`;

test('processed instructions: scale programs match the kernel', (t) => {
  const cl = clangAvailable();
  if (!cl.ok) { t.skip(cl.reason ?? 'clang missing'); return; }
  const dir = buildDir();
  try {
    const rows = measure('scale.c', dir);
    if (typeof rows === 'string') { t.skip(rows); return; }
    assert.ok(rows.length >= 5, `only ${rows.length} scale programs with a kernel count`);
    for (const r of rows) t.diagnostic(line(r));
    for (const r of rows) {
      assert.ok(r.ok, `${r.id}: bpfls rejects (the kernel accepts)`);
      assert.ok(off(r) <= SCALE_TOLERANCE, `${line(r)}: more than ${SCALE_TOLERANCE * 100}% apart`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('processed instructions: corpus programs match the kernel', (t) => {
  const cl = clangAvailable();
  if (!cl.ok) { t.skip(cl.reason ?? 'clang missing'); return; }
  const dir = buildDir();
  try {
    const rows: Row[] = [];
    for (const f of CORPUS_FILES) {
      const r = measure(f, dir);
      if (typeof r === 'string') t.diagnostic(r);
      else rows.push(...r);
    }
    if (rows.length === 0) { t.skip('no kernel counts for the corpus programs'); return; }
    const far = rows.filter((r) => off(r) > PROGRAM_TOLERANCE);
    const equal = rows.filter((r) => r.bpfls === r.kernel).length;
    t.diagnostic(`${rows.length} accepted programs: ${equal} equal, ${rows.length - far.length} within ${PROGRAM_TOLERANCE * 100}%`);
    for (const r of far) t.diagnostic(line(r));
    assert.ok((rows.length - far.length) / rows.length >= MIN_SHARE,
      `only ${rows.length - far.length} of ${rows.length} programs within ${PROGRAM_TOLERANCE * 100}% of the kernel's count`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Synchronous callbacks are re-entered from their call until the states there converge (the
// kernel's callback iteration since 6.8): each accepted callback program explores exactly as much
// as the kernel.
test('processed instructions: callback programs equal the kernel', (t) => {
  const cl = clangAvailable();
  if (!cl.ok) { t.skip(cl.reason ?? 'clang missing'); return; }
  const dir = buildDir();
  try {
    const rows: Row[] = [];
    for (const f of ['callbacks.c', 'callback_iter.c']) {
      const r = measure(f, dir);
      if (typeof r === 'string') t.diagnostic(r);
      else rows.push(...r);
    }
    if (rows.length === 0) { t.skip('no kernel counts for the callback programs'); return; }
    const differ = rows.filter((r) => r.bpfls !== r.kernel || !r.ok);
    for (const r of differ) t.diagnostic(line(r));
    assert.equal(differ.length, 0, `${differ.length} of ${rows.length} callback programs differ from the kernel's count`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

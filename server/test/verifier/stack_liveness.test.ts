// Stack slot liveness (liveness.ts): which slots of a frame may still be read, so that state
// pruning ignores dead ones as the 6.18 kernel does. Unit checks on hand-written instructions, the
// fast analysis against a straightforward reference (liveness-reference.ts) on every corpus program,
// and processed-instruction counts equal to the kernel's on test/corpus-real/dead_stack_slots.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Insn } from '../../src/bpf/isa/insn';
import { computeStackLiveness, slotLive, type LivenessEnv } from '../../src/bpf/verifier/liveness';
import { helperProto } from '../../src/bpf/verifier/helpers';
import { checkCfg } from '../../src/bpf/verifier/cfg';
import { loadObject } from '../../src/bpf/loader';
import type { LoadedObject } from '../../src/bpf/loader/types';
import { buildReal, bpflsVerdicts, cleanupReal, kernelVerdicts, realDir } from '../realworld/realworld';
import { buildDir, clangAvailable, compileCorpusFile, listCorpusFiles } from '../diff/corpus';
import { referenceStackLiveness } from './liveness-reference';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const STX64 = (dst: number, src: number, off: number): Insn => I(0x7b, dst, src, off);
const LDX64 = (dst: number, src: number, off: number): Insn => I(0x79, dst, src, off);
const MOV64X = (dst: number, src: number): Insn => I(0xbf, dst, src);
const MOV64K = (dst: number, imm: number): Insn => I(0xb7, dst, 0, 0, imm);
const ADD64K = (dst: number, imm: number): Insn => I(0x07, dst, 0, 0, imm);
const CALL = (imm: number, src = 0): Insn => I(0x85, 0, src, 0, imm);
const EXIT = I(0x95);

function env(insns: Insn[], starts = [0]): LivenessEnv {
  return {
    subprogs: starts.map((s, k) => ({ start: s, end: k + 1 < starts.length ? starts[k + 1] : insns.length })),
    callsCallback: new Uint8Array(insns.length),
    maps: [{ keySize: 4, valueSize: 8 }],
    helperArgs: (id) => helperProto(id)?.args,
  };
}
const liveSlots = (insns: Insn[], idx: number, starts?: number[]): number[] => {
  const l = computeStackLiveness(insns, env(insns, starts));
  const out: number[] = [];
  for (let s = 0; s < 64; s++) if (slotLive(l, idx, s)) out.push(s);
  return out;
};

test('stack liveness: a slot written and never read again is dead; a slot read later is live', () => {
  const p = [STX64(10, 1, -8), STX64(10, 1, -16), LDX64(2, 10, -16), MOV64K(0, 0), EXIT];
  assert.deepEqual(liveSlots(p, 1), []); // written by insn 1 before any read
  assert.deepEqual(liveSlots(p, 2), [1]);
  assert.deepEqual(liveSlots(p, 3), []);
  // a full 8-byte write kills the slot; a narrower one does not
  const q = [STX64(10, 1, -8), I(0x63, 10, 1, -8), LDX64(2, 10, -8), EXIT];
  assert.deepEqual(liveSlots(q, 1), [0]);
  assert.deepEqual(liveSlots(q, 0), []);
});

test('stack liveness: pointers into the frame (copies, spills, calls) keep what they reach live', () => {
  // r2 = fp-16 spilled to fp-24, filled back and dereferenced
  const p = [MOV64X(2, 10), ADD64K(2, -16), STX64(10, 2, -24), MOV64K(2, 0), LDX64(3, 10, -24), LDX64(4, 3, 0), EXIT];
  assert.deepEqual(liveSlots(p, 4), [1, 2]);
  assert.deepEqual(liveSlots(p, 5), [1]);
  // map_lookup_elem(map 0 with a 4-byte key, fp-16): only the key's slot is read
  const q = [I(0x18, 1, 5, 0, 0), I(0, 0, 0, 0, 0), MOV64X(2, 10), ADD64K(2, -16), CALL(1), EXIT];
  assert.deepEqual(liveSlots(q, 4), [1]);
  // a bpf-to-bpf call handed a pointer into the frame may read any slot of it
  const r = [MOV64X(1, 10), ADD64K(1, -16), CALL(1, 1), EXIT, MOV64K(0, 0), EXIT];
  assert.equal(liveSlots(r, 2, [0, 4]).length, 64);
  // a slot read only by the callee's own frame is not the caller's
  const s = [CALL(1, 1), EXIT, STX64(10, 1, -8), LDX64(0, 10, -8), EXIT];
  assert.deepEqual(liveSlots(s, 0, [0, 2]), []);
  assert.deepEqual(liveSlots(s, 3, [0, 2]), [0]);
});

test('stack liveness: a store through a register that is a frame pointer on only some paths kills nothing', () => {
  // r1 = fp-8 on one path, a scalar on the other; the store at 4 writes fp-8 only on the first, so
  // the read at 5 keeps slot 0 live before 4 and before the branch (whichever path is walked first)
  const p = [MOV64X(1, 10), ADD64K(1, -8), I(0x15, 2, 0, 1, 0), MOV64K(1, 0), STX64(1, 3, 0), LDX64(0, 10, -8), EXIT];
  assert.deepEqual(liveSlots(p, 4), [0]);
  assert.deepEqual(liveSlots(p, 2), [0]);
  // the same store through an exact fp-8 on every path does kill it
  const q = [MOV64X(1, 10), ADD64K(1, -8), I(0x15, 2, 0, 1, 0), MOV64K(3, 0), STX64(1, 3, 0), LDX64(0, 10, -8), EXIT];
  assert.deepEqual(liveSlots(q, 4), []);
  // a spilled frame pointer reloaded after a loop still reaches its slot (tracked slots widen)
  const r = [MOV64X(1, 10), ADD64K(1, -16), STX64(10, 1, -8), MOV64K(2, 3), ADD64K(2, -1), I(0x55, 2, 0, -2, 0),
    LDX64(3, 10, -8), LDX64(0, 3, 0), EXIT];
  assert.deepEqual(liveSlots(r, 6), [0, 1]);
  assert.deepEqual(liveSlots(r, 3), [0, 1]);
});

/** the environment the verifier gives the analysis (Verifier.stackLive) */
function programEnvs(obj: LoadedObject): { name: string; insns: Insn[]; env: LivenessEnv }[] {
  const out: { name: string; insns: Insn[]; env: LivenessEnv }[] = [];
  for (const prog of obj.programs) {
    let cfg;
    try {
      cfg = checkCfg(prog.insns, prog, () => {}, () => undefined);
    } catch {
      continue; // rejected before any state is compared
    }
    out.push({ name: prog.name, insns: prog.insns, env: {
      subprogs: cfg.subprogs, callsCallback: cfg.callsCallback, maps: obj.maps,
      helperArgs: (id) => helperProto(id, prog.progType)?.args,
    } });
  }
  return out;
}

test('stack liveness: equal to the straightforward reference on every corpus program (scale programs included)', (t) => {
  const cl = clangAvailable();
  if (!cl.ok) { t.skip(cl.reason ?? 'clang missing'); return; }
  const dir = buildDir();
  try {
    let programs = 0, insns = 0, fastNs = 0, refNs = 0;
    const scale: string[] = [];
    for (const path of listCorpusFiles()) {
      const c = compileCorpusFile(path, dir);
      if (!c.objPath) { t.diagnostic(`${c.file}: ${c.error ?? 'not compiled'}`); continue; }
      const obj = loadObject(readFileSync(c.objPath)).object;
      if (!obj) continue;
      for (const p of programEnvs(obj)) {
        let t0 = process.hrtime.bigint();
        const fast = computeStackLiveness(p.insns, p.env).live;
        fastNs += Number(process.hrtime.bigint() - t0);
        t0 = process.hrtime.bigint();
        const ref = referenceStackLiveness(p.insns, p.env);
        refNs += Number(process.hrtime.bigint() - t0);
        assert.equal(fast.length, ref.length);
        for (let i = 0; i < ref.length; i++) {
          if (fast[i] !== ref[i]) assert.fail(`${c.file}:${p.name}: insn ${i >> 1} slots ${i & 1 ? '32-63' : '0-31'}: fast ${fast[i].toString(16)} reference ${ref[i].toString(16)}`);
        }
        programs++;
        insns += p.insns.length;
        if (c.file === 'scale.c') scale.push(p.name);
      }
    }
    t.diagnostic(`${programs} programs (${insns} instructions) equal; fast ${(fastNs / 1e6).toFixed(1)} ms, reference ${(refNs / 1e6).toFixed(1)} ms (one cold run each)`);
    assert.ok(programs >= 500, `only ${programs} corpus programs analysed`);
    assert.ok(scale.includes('scale_strobemeta') && scale.includes('scale_pyperf'), `scale programs missing: ${scale.join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('processed instructions: pruning on dead stack slots matches the kernel (dead_stack_slots.c)', async (t) => {
  const run = buildReal([join(realDir, 'dead_stack_slots.c')]);
  try {
    if (!run.objects.length) { t.skip(run.notes.join('; ') || run.compileErrors.join('; ') || 'not built'); return; }
    const kernel = kernelVerdicts(run);
    const progs = kernel.get('dead_stack_slots.c') ?? [];
    if (!progs.some((p) => p.kernel?.processed)) { t.skip('no kernel verdict for dead_stack_slots.c (cache stale and loading not permitted)'); return; }
    await bpflsVerdicts(run, kernel);
    let n = 0;
    for (const p of progs) {
      if (!p.kernel?.ok || !p.kernel.processed) continue;
      assert.equal(p.bpfls?.ok, true, `${p.prog}: bpfls rejects`);
      assert.equal(p.bpfls?.processed, p.kernel.processed, `${p.prog}: processed bpfls ${p.bpfls?.processed} kernel ${p.kernel.processed}`);
      n++;
    }
    assert.ok(n >= 2);
  } finally {
    cleanupReal(run);
  }
});

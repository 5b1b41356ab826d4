// Stack slot liveness (liveness.ts): which slots of a frame may still be read, so that state
// pruning ignores dead ones as the 6.18 kernel does. Unit checks on hand-written instructions
// (including what callees and callbacks read through the pointers they are handed), the per-block
// analysis against its plain form (one instruction per block, every slot tracked) on every corpus
// program, and processed-instruction counts equal to the kernel's on test/corpus-real/dead_stack_slots.c.
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
import { buildDir, clangAvailable, compileCorpusFile, corpusDir, listCorpusFiles, readKernelCache } from '../diff/corpus';
import { kernelVerifyObject, oracle } from '../diff/oracle';
import { verifyProgram } from '../../src/bpf/verifier';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
const STX64 = (dst: number, src: number, off: number): Insn => I(0x7b, dst, src, off);
const LDX64 = (dst: number, src: number, off: number): Insn => I(0x79, dst, src, off);
const MOV64X = (dst: number, src: number): Insn => I(0xbf, dst, src);
const MOV64K = (dst: number, imm: number): Insn => I(0xb7, dst, 0, 0, imm);
const ADD64K = (dst: number, imm: number): Insn => I(0x07, dst, 0, 0, imm);
const CALL = (imm: number, src = 0): Insn => I(0x85, 0, src, 0, imm);
const EXIT = I(0x95);

function env(insns: Insn[], starts = [0], extra: Partial<LivenessEnv> = {}): LivenessEnv {
  return {
    subprogs: starts.map((s, k) => ({ start: s, end: k + 1 < starts.length ? starts[k + 1] : insns.length })),
    callsCallback: new Uint8Array(insns.length),
    maps: [{ keySize: 4, valueSize: 8 }],
    helperArgs: (id) => helperProto(id)?.args,
    ...extra,
  };
}
const liveSlots = (insns: Insn[], idx: number, starts?: number[], extra?: Partial<LivenessEnv>): number[] => {
  const l = computeStackLiveness(insns, env(insns, starts, extra));
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
  // a bpf-to-bpf call handed a pointer into the frame reads what the callee reads through it: nothing here
  const r = [MOV64X(1, 10), ADD64K(1, -16), CALL(1, 1), EXIT, MOV64K(0, 0), EXIT];
  assert.deepEqual(liveSlots(r, 2, [0, 4]), []);
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

test('stack liveness: a pointer into the frame read through offsets joined from several paths reads only that range', () => {
  // r1 = fp-16 or fp-32: the load reads fp-32..fp-9 (slots 1-3), not the whole frame
  const p = [MOV64X(1, 10), ADD64K(1, -16), I(0x15, 2, 0, 1, 0), ADD64K(1, -16), LDX64(0, 1, 0), EXIT];
  assert.deepEqual(liveSlots(p, 4), [1, 2, 3]);
});

// subprograms: the caller's frame pointer handed to a callee reads what the callee reads
const ZERO_SLOTS = (...offs: number[]): Insn[] => [MOV64K(1, 0), ...offs.map((o) => STX64(10, 1, o))];
test('stack liveness: a callee reads the caller slots it dereferences (directly, forwarded with an offset, spilled)', () => {
  // main: fp-8, fp-16 zeroed; sub(fp-16) reads *(r1 + 0)
  const a = [...ZERO_SLOTS(-8, -16), MOV64X(1, 10), ADD64K(1, -16), CALL(2, 1), MOV64K(0, 0), EXIT, LDX64(0, 1, 0), EXIT];
  assert.deepEqual(liveSlots(a, 5, [0, 8]), [1]);
  assert.deepEqual(liveSlots(a, 3, [0, 8]), [1]);
  assert.deepEqual(liveSlots(a, 2, [0, 8]), []); // fp-16 is written at 2 first
  // sub1(fp-24) calls sub2(r1 + 8), which reads 8 bytes: the caller's fp-16
  const b = [MOV64X(1, 10), ADD64K(1, -24), CALL(2, 1), MOV64K(0, 0), EXIT, ADD64K(1, 8), CALL(1, 1), EXIT, LDX64(0, 1, 0), EXIT];
  assert.deepEqual(liveSlots(b, 2, [0, 5, 8]), [1]);
  // the callee spills its argument, reloads it and reads at +8
  const c = [MOV64X(1, 10), ADD64K(1, -24), CALL(2, 1), MOV64K(0, 0), EXIT,
    STX64(10, 1, -8), MOV64K(1, 0), LDX64(2, 10, -8), LDX64(0, 2, 8), EXIT];
  assert.deepEqual(liveSlots(c, 2, [0, 5]), [1]);
  // at an unknown offset (r1 += r2): any slot
  const d = [MOV64X(1, 10), ADD64K(1, -24), CALL(2, 1), MOV64K(0, 0), EXIT, I(0x0f, 1, 2), LDX64(0, 1, 0), EXIT];
  assert.equal(liveSlots(d, 2, [0, 5]).length, 64);
  // a helper of unknown size in the callee: from the pointer up to the caller's frame top
  const e = [MOV64X(1, 10), ADD64K(1, -24), CALL(2, 1), MOV64K(0, 0), EXIT,
    MOV64X(6, 1), CALL(7), MOV64X(2, 0), MOV64X(1, 6), MOV64K(3, 0), CALL(113), EXIT];
  assert.deepEqual(liveSlots(e, 2, [0, 5]), [0, 1, 2]);
});

test('stack liveness: a pointer the caller stored in the memory it hands over keeps what it points to live', () => {
  // main: x (fp-8) = &y (fp-32); sub(&x) loads p = *r1 and reads *p: x and y are read by the call
  const p = [MOV64X(1, 10), ADD64K(1, -32), STX64(10, 1, -8), MOV64X(1, 10), ADD64K(1, -8), CALL(2, 1), MOV64K(0, 0), EXIT,
    LDX64(2, 1, 0), LDX64(0, 2, 0), EXIT];
  assert.deepEqual(liveSlots(p, 5, [0, 8]), [0, 3]);
  assert.deepEqual(liveSlots(p, 2, [0, 8]), [3]);
  // a pointer loaded through a loaded pointer: everything
  const q = [MOV64X(1, 10), ADD64K(1, -32), STX64(10, 1, -8), MOV64X(1, 10), ADD64K(1, -8), CALL(2, 1), MOV64K(0, 0), EXIT,
    LDX64(2, 1, 0), LDX64(3, 2, 0), LDX64(0, 3, 0), EXIT];
  assert.equal(liveSlots(q, 5, [0, 8]).length, 64);
});

test('stack liveness: a callback reads through the context it is handed; a global function reads all the memory', () => {
  // bpf_loop(4, cb, fp-16, 0); cb reads *(r2 + 0)
  const p = [...ZERO_SLOTS(-8, -16), MOV64K(1, 4), I(0x18, 2, 4, 0, 7), I(0, 0, 0, 0, 0), MOV64X(3, 10), ADD64K(3, -16), MOV64K(4, 0),
    CALL(181), MOV64K(0, 0), EXIT, LDX64(0, 2, 0), MOV64K(0, 0), EXIT];
  const cb = new Uint8Array(p.length);
  cb[9] = 1;
  assert.deepEqual(liveSlots(p, 9, [0, 12], { callsCallback: cb }), [1]);
  // the same call through an unknown function register: the whole frame
  const q = p.slice();
  q[4] = MOV64K(2, 0);
  q[5] = MOV64K(2, 0);
  assert.equal(liveSlots(q, 9, [0, 12], { callsCallback: cb }).length, 64);
  // a global callee: its arguments were checked against the prototype at the call
  const g = [MOV64X(1, 10), ADD64K(1, -16), CALL(2, 1), MOV64K(0, 0), EXIT, LDX64(0, 1, 0), EXIT];
  assert.deepEqual(liveSlots(g, 2, [0, 5]), [1]);
  assert.equal(liveSlots(g, 2, [0, 5], { isGlobal: (sp) => sp === 1 }).length, 64);
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

test('stack liveness: per-block with tracked slots equal to the plain fixpoint (every instruction, every slot) on every corpus program', (t) => {
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
        const ref = computeStackLiveness(p.insns, p.env, true).live;
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

test('processed instructions: a callee reading only some of the slots it is handed prunes as the kernel (subprog_stack.c)', (t) => {
  const cl = clangAvailable();
  if (!cl.ok) { t.skip(cl.reason ?? 'clang missing'); return; }
  const dir = buildDir();
  try {
    const c = compileCorpusFile(join(corpusDir, 'subprog_stack.c'), dir);
    if (!c.objPath || !c.objSha256) { t.skip(c.error ?? 'not compiled'); return; }
    const cached = readKernelCache().files['subprog_stack.c'];
    let kernel: Map<string, { ok: boolean | null; processed?: number }>;
    if (cached && cached.objSha256 === c.objSha256) kernel = new Map(Object.entries(cached.programs));
    else {
      const o = oracle();
      if (!o.ok) { t.skip(`no cached kernel verdict for subprog_stack.c and ${o.reason}`); return; }
      kernel = new Map(kernelVerifyObject(c.objPath).verdicts.map((v) => [v.prog ?? v.name ?? '', v]));
    }
    const obj = loadObject(readFileSync(c.objPath)).object;
    assert.ok(obj);
    let n = 0;
    for (const name of ['subprog_ignores_handed_slot', 'subprog_reads_other_slot']) {
      const k = kernel.get(name);
      const prog = obj.programs.find((p) => p.name === name);
      if (!k?.ok || !k.processed || !prog) continue;
      const r = verifyProgram(obj, prog, {});
      assert.equal(r.ok, true, `${name}: bpfls rejects`);
      assert.equal(r.processed, k.processed, `${name}: processed bpfls ${r.processed} kernel ${k.processed}`);
      n++;
    }
    assert.equal(n, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

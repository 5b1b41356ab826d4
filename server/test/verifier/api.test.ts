// verifyProgram's extra outputs: the path of branch decisions to an error, per-instruction state
// summaries for hovers, the kernel-format log, limits; and tnum / bounds basics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './util';
import { verifyProgram } from '../../src/bpf/verifier';
import { tnumAdd, tnumConstBig as tnumConst, tnumRangeBig as tnumRange, tnumIn, tnumMul, tnumAnd, tnum } from '../../src/bpf/verifier/tnum';
import { unknownScalar, regBoundsSync, regStr, setUBounds } from '../../src/bpf/verifier/reg';

const XDP = 6;

test('path lists the branch decisions that reach the error', () => {
  const { obj, prog } = build('r0 = *(u32 *)(r1 + 12)\nif r0 > 3 goto l1\nr0 = *(u32 *)(r1 + 0)\nl1:\nr0 = *(u8 *)(r0 + 0)\nexit', XDP);
  const r = verifyProgram(obj, prog);
  assert.equal(r.ok, false);
  assert.equal(r.error?.message, 'R0 offset is outside of the packet');
  assert.equal(r.error?.insn, 3);
  assert.deepEqual(r.path, [{ insn: 1, taken: false }]);
});

test('per-instruction states for hovers', () => {
  const { obj, prog } = build('r2 = 5\nr3 = r2\nr3 += 1\nr0 = 2\nexit', XDP);
  const r = verifyProgram(obj, prog, { collectStates: true });
  assert.equal(r.ok, true);
  const at3 = r.states?.find((s) => s.insn === 3);
  assert.ok(at3);
  assert.match(at3.regs, /R2=5 R3=6/);
});

test('log level 1 is in the kernel format', () => {
  const { obj, prog } = build('r0 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r0 + 0)\nexit', XDP);
  const r = verifyProgram(obj, prog, { logLevel: 1 });
  const lines = r.log.trim().split('\n');
  assert.equal(lines[0], '0: R1=ctx() R10=fp0');
  assert.equal(lines[1], '0: (61) r0 = *(u32 *)(r1 +0)          ; R0=pkt(r=0) R1=ctx()');
  assert.equal(lines[2], '1: (71) r0 = *(u8 *)(r0 +0)');
  assert.equal(lines[3], 'invalid access to packet, off=0 size=1, R0(id=0,off=0,r=0)');
  assert.equal(lines[4], 'R0 offset is outside of the packet');
  assert.match(lines[5], /^processed 2 insns \(limit 1000000\)/);
});

test('the processed-instruction limit', () => {
  const { obj, prog } = build('r0 = 0\nl0:\nr0 += 1\nif r0 < 100000 goto l0\nr0 = 0\nexit', 1);
  const r = verifyProgram(obj, prog, { insnLimit: 1000 });
  assert.equal(r.ok, false);
  assert.equal(r.error?.message, 'BPF program is too large. Processed 1001 insn');
});

test('cancellation stops the analysis', () => {
  const { obj, prog } = build('r0 = 0\nl0:\nr0 += 1\nif r0 < 100000 goto l0\nr0 = 0\nexit', 1);
  const r = verifyProgram(obj, prog, { isCancelled: () => true });
  assert.equal(r.ok, false);
  assert.ok(r.notes.includes('verification cancelled'));
});

test('tnum arithmetic', () => {
  assert.deepEqual(tnumAdd(tnumConst(3n), tnumConst(4n)), tnum(0, 7, 0, 0));
  const r = tnumRange(0n, 255n);
  assert.deepEqual(r, tnum(0, 0, 0, 255));
  assert.ok(tnumIn(r, tnumConst(17n)));
  assert.ok(!tnumIn(tnumConst(17n), r));
  assert.deepEqual(tnumMul(tnumConst(6n), tnumConst(7n)), tnum(0, 42, 0, 0));
  assert.deepEqual(tnumAnd(r, tnumConst(0xf0n)), tnum(0, 0, 0, 0xf0));
});

test('bounds sync derives ranges from bits and back', () => {
  const r = unknownScalar();
  r.varOff = tnum(0, 0, 0, 0xff);
  regBoundsSync(r);
  assert.equal(regStr(r, 0), 'scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
  const s = unknownScalar();
  setUBounds(s, 0n, 1000n);
  regBoundsSync(s);
  assert.equal(regStr(s, 0), 'scalar(smin=smin32=0,smax=umax=smax32=umax32=1000,var_off=(0x0; 0x3ff))');
});

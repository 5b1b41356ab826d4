// The interpreter's per-instruction hook: every executed instruction once, budget faults unchanged,
// the same results as a run without it; and the replay engine's stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insn, type Insn } from '../../src/bpf/isa/insn';
import { ProgType } from '../../src/bpf/progtypes';
import { Emulator, rawObject } from '../../src/bpf/emulator/emulator';
import { DebugEngine } from '../../src/debug/engine';

/** r0 = sum of 0..n-1 in a loop, then exit */
function loop(n: number): Insn[] {
  return [
    insn(0xb7, 0, 0, 0, 0), insn(0xb7, 1, 0, 0, 0),
    insn(0x35, 1, 0, 3, n), // if r1 >= n goto +3
    insn(0x0f, 0, 1), insn(0x07, 1, 0, 0, 1), insn(0x05, 0, 0, -4, 0),
    insn(0x95),
  ];
}

test('the hook sees every executed instruction and changes no result', () => {
  const obj = rawObject(loop(10), ProgType.XDP);
  const plain = new Emulator(obj, { jit: 'never' }).run('prog', { dataIn: new Uint8Array(64) });
  const emu = new Emulator(obj, { jit: 'never' });
  const pcs: number[] = [];
  emu.vm.onInsn = (pc) => { pcs.push(pc); };
  const hooked = emu.run('prog', { dataIn: new Uint8Array(64) });
  assert.equal(plain.retval, 45);
  assert.equal(hooked.retval, plain.retval);
  assert.equal(hooked.insns, plain.insns);
  assert.equal(pcs.length, plain.insns);
  assert.deepEqual(pcs.slice(0, 6), [0, 1, 2, 3, 4, 5]);
  assert.equal(pcs[pcs.length - 1], 6);
});

test('the instruction budget faults at the same count with and without the hook', () => {
  const obj = rawObject(loop(1000), ProgType.XDP);
  const plain = new Emulator(obj, { jit: 'never', maxInsns: 100 }).run('prog', { dataIn: new Uint8Array(64) });
  const emu = new Emulator(obj, { jit: 'never', maxInsns: 100 });
  let calls = 0;
  emu.vm.onInsn = () => { calls++; };
  const hooked = emu.run('prog', { dataIn: new Uint8Array(64) });
  assert.match(plain.error!.message, /instruction budget exceeded/);
  assert.deepEqual(hooked.error, plain.error);
  assert.equal(hooked.insns, plain.insns);
  assert.equal(calls, 100);
});

test('the replay engine stops at the Nth instruction with that state, and finishes like a run', () => {
  const obj = rawObject(loop(10), ProgType.XDP);
  const engine = new DebugEngine(obj, obj.programs[0], { dataIn: new Uint8Array(64) });
  let out = engine.resume((v) => (v.pc === 5 ? 'breakpoint' : false));
  assert.equal(out.kind, 'stopped');
  if (out.kind !== 'stopped') return;
  assert.equal(out.state.frames[0].pc, 5);
  assert.equal(out.state.L[0], 0); // first iteration: r0 += 0
  out = engine.resume((v) => (v.pc === 5 ? 'breakpoint' : false));
  assert.equal(out.kind === 'stopped' && out.state.L[0], 1); // second: r0 = 0 + 1
  out = engine.resume(() => false);
  assert.equal(out.kind, 'finished');
  assert.equal(out.kind === 'finished' && out.result.retval, 45);
});

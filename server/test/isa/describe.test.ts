// Instruction descriptions for hovers: words, ISA level and first kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeInsn } from '../../src/bpf/isa/describe';
import { assemble } from '../../src/bpf/asm/assembler';

const d = (text: string, idx = 0) => {
  const r = assemble(text, { syntax: 'llvm' });
  assert.deepEqual(r.errors.filter((e) => e.severity === 'error'), [], text);
  return describeInsn(r.insns, idx);
};

test('descriptions name the operation, the ISA level and the kernel', () => {
  assert.deepEqual(d('w1 += 5'), { text: 'W1 adds 0x5 (32-bit; the upper half of the register becomes zero).', version: 'v1', kernel: '3.18' });
  assert.equal(d('call 1').text, 'Calls helper bpf_map_lookup_elem (ID 1); r1-r5 are its arguments, r0 its result, r1-r5 are clobbered.');
  assert.equal(d('if r1 < r2 goto +3').version, 'v2');
  assert.deepEqual([d('if w1 == 0 goto +1').version, d('if w1 == 0 goto +1').kernel], ['v3', '5.1']);
  assert.equal(d('r1 = (s8)r2').version, 'v4');
  assert.equal(d('r1 s/= r2').kernel, '6.6');
  assert.equal(d('r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)').version, 'v3');
  assert.equal(d('lock *(u64 *)(r1 + 0) += r2').version, 'v1');
  assert.equal(d('r0 = load_acquire((u64 *)(r1 + 8))').text, 'Loads 8 byte(s) at r1 + 8 into r0 with acquire ordering.');
  assert.equal(d('r2 = *(u16 *)(r10 - 4)').text, 'Loads 2 byte(s) at r10 - 4 into r2, zero-extended.');
  assert.equal(d('r1 = 0x100000002 ll').text, 'Loads the 64-bit constant 0x100000002 into r1 (two instruction slots).');
  assert.equal(d('r0 = 0\ngoto -2', 1).text, 'Jumps to instruction 0.');
  assert.equal(d('may_goto +1').kernel, '6.9');
});

test('invalid encodings carry the problem', () => {
  const r = assemble('.8byte 0x0000000000000195', { syntax: 'llvm' });
  assert.equal(describeInsn(r.insns, 0).problem, 'BPF_EXIT uses reserved fields');
});

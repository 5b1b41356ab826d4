// The assembler's contract: instructions, source map, labels, sections, symbols, references and
// diagnostics with ranges, for both syntaxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, asmErrors, detectSyntax } from '../../src/bpf/asm/assembler';
import { encodeInsns, insn, Insn } from '../../src/bpf/isa/insn';

const hex = (xs: Insn[]): string => Buffer.from(encodeInsns(xs)).toString('hex');
const one = (text: string, syntax?: 'llvm' | 'gas'): { message: string; line: number; start: number; end: number }[] =>
  asmErrors(assemble(text, { syntax })).map((e) => ({ message: e.message, line: e.range.line, start: e.range.start, end: e.range.end }));

test('both syntaxes produce the same bytes', () => {
  const llvm = assemble([
    'r0 = *(u32 *)(r1 + 4)', 'w2 = 7', 'if r0 s< r2 goto +1', 'r0 = 0x1122334455667788 ll', 'lock *(u64 *)(r10 - 8) += r1',
    'r1 = atomic_fetch_xor((u64 *)(r10 - 8), r1)', 'w0 = be16 w0'.replace('w0 = be16 w0', 'r0 = be16 r0'), 'r3 s%= 5', 'call 1', 'exit',
  ].join('\n'));
  const gas = assemble([
    'ldxw %r0, [%r1+4]', 'mov32 r2, 7', 'jslt %r0, %r2, +1', 'lddw %r0, 0x1122334455667788', 'lock add [%r10-8], %r1',
    'lock fetch xor [%r10-8], %r1', 'be16 %r0', 'smod %r3, 5', 'call 1', 'exit',
  ].join('\n'));
  assert.equal(llvm.syntax, 'llvm');
  assert.equal(gas.syntax, 'gas');
  assert.deepEqual(asmErrors(llvm), []);
  assert.deepEqual(asmErrors(gas), []);
  assert.equal(hex(llvm.insns), hex(gas.insns));
  assert.equal(llvm.insns.length, 11);
});

test('source map, labels and references', () => {
  const text = [
    '# comment',
    'start:',
    '  r0 = 0',
    '  if r1 == 0 goto out   // trailing comment',
    '  r1 = 0x1 ll',
    'out: exit',
  ].join('\n');
  const r = assemble(text);
  assert.deepEqual(asmErrors(r), []);
  assert.equal(r.insns.length, 5);
  assert.deepEqual(r.sourceMap.map((s) => s.line), [2, 3, 4, 4, 5]);
  assert.deepEqual(r.sourceMap[1], { line: 3, start: 2, end: 21 });
  assert.equal(r.insns[1].off, 2);
  assert.deepEqual(r.labels.get('out'), { name: 'out', section: '.text', index: 4, range: { line: 5, start: 0, end: 3 } });
  assert.deepEqual(r.references.filter((x) => x.kind === 'jump'), [{ name: 'out', range: { line: 3, start: 18, end: 21 }, kind: 'jump' }]);
});

test('semicolons separate LLVM statements', () => {
  const r = assemble('r0 = 0; r1 = 1;exit\n; a listing source line: int x = 1;');
  assert.deepEqual(asmErrors(r), []);
  assert.equal(r.insns.length, 3);
  assert.deepEqual(r.sourceMap.map((s) => s.start), [0, 8, 15]);
});

test('calls: helper names, local functions, externs', () => {
  const r = assemble([
    '.text', 'sub:', '  r0 = 1', '  exit',
    '.section tc,"ax",@progbits', '.globl prog', 'prog:',
    '  call bpf_map_lookup_elem', '  call sub', '  call local_fn', '  call bpf_obj_new_impl', '  exit',
    'local_fn:', '  exit',
  ].join('\n'));
  assert.deepEqual(asmErrors(r), []);
  const tc = r.sections.find((s) => s.name === 'tc')!;
  const calls = r.insns.slice(tc.start, tc.start + tc.count);
  assert.deepEqual([calls[0].src, calls[0].imm], [0, 1]);
  assert.deepEqual([calls[1].src, calls[1].imm], [1, -1]);
  assert.deepEqual([calls[2].src, calls[2].imm], [1, 2]);
  assert.deepEqual([calls[3].src, calls[3].imm], [1, -1]);
  assert.deepEqual(tc.relocs.map((x) => [x.offset, x.symbol, x.kind]), [[8, 'sub', 'call'], [24, 'bpf_obj_new_impl', 'call']]);
  assert.ok(r.symbols.get('prog')?.global);
});

test('data sections and directives', () => {
  const r = assemble([
    '.section .rodata,"a",@progbits', 'msg: .asciz "hi\\n"', '.p2align 2', 'val: .long 0x01020304, -1', '.byte 1, 2',
    '.section .maps,"aw",@progbits', 'm: .zero 32', '.size m, 32',
    '.text', 'f: r1 = msg ll', 'r2 = m ll', 'exit', '.size f, .-f',
  ].join('\n'));
  assert.deepEqual(asmErrors(r), []);
  const ro = r.sections.find((s) => s.name === '.rodata')!;
  assert.deepEqual([...ro.data], [104, 105, 10, 0, 4, 3, 2, 1, 255, 255, 255, 255, 1, 2]);
  assert.equal(r.sections.find((s) => s.name === '.maps')!.data.length, 32);
  assert.equal(r.symbols.get('f')?.size, 40);
  assert.equal(r.symbols.get('m')?.size, 32);
  const text = r.sections.find((s) => s.name === '.text')!;
  assert.deepEqual(text.relocs.map((x) => [x.offset, x.symbol, x.kind]), [[0, 'msg', 'ld64'], [16, 'm', 'ld64']]);
});

test('errors carry ranges and say what to do', () => {
  assert.deepEqual(one('r0 = r12'), [{ message: "invalid register 'r12' (r0..r10, w0..w10)", line: 0, start: 5, end: 8 }]);
  assert.deepEqual(one('r0 = 0x100000000'), [{ message: 'immediate 4294967296 does not fit in 32 bits', line: 0, start: 5, end: 16 }]);
  assert.deepEqual(one('r0 = *(u32 *)(r1 + 40000)'), [{ message: 'offset 40000 does not fit in 16 bits (-32768..32767)', line: 0, start: 19, end: 24 }]);
  assert.deepEqual(one('goto nowhere\nexit'), [{ message: "undefined label 'nowhere'", line: 0, start: 5, end: 12 }]);
  assert.deepEqual(one('a: exit\na: exit'), [{ message: "duplicate label 'a' (first defined on line 1)", line: 1, start: 0, end: 1 }]);
  assert.deepEqual(one('w0 += r1'), [{ message: 'register width mismatch: w0 with r1', line: 0, start: 6, end: 8 }]);
  assert.deepEqual(one('frobnicate r0'), [{ message: "unknown instruction 'frobnicate'", line: 0, start: 0, end: 10 }]);
  assert.deepEqual(one('ldxw %r0, [%r1+4'), [{ message: "expected ']' at end of line", line: 0, start: 16, end: 16 }]);
  assert.deepEqual(one('mov32 %r0, 2147483648', 'gas')[0].message, 'immediate 2147483648 does not fit in a signed 32-bit field');
  assert.match(one('lock add [%r1]', 'gas')[0].message, /invalid number of operands for lock/);
  // A jump beyond 16 bits must use gotol.
  const far = ['goto end', ...new Array(33000).fill('r0 = 0'), 'end: exit'].join('\n');
  assert.match(one(far)[0].message, /out of range for a 16-bit offset \(use gotol\)/);
  const farl = assemble(['gotol end', ...new Array(33000).fill('r0 = 0'), 'end: exit'].join('\n'));
  assert.deepEqual(asmErrors(farl), []);
  assert.equal(farl.insns[0].imm, 33000);
});

test('syntax detection', () => {
  assert.equal(detectSyntax('mov %r0, 1\nexit'), 'gas');
  assert.equal(detectSyntax('r0 = 1\nexit'), 'llvm');
  assert.equal(detectSyntax('exit'), 'llvm');
  assert.equal(detectSyntax('  ldxdw r0, [r1+8]\n  add r0, 1\n  exit'), 'gas');
});

test('garbage never throws', () => {
  for (const t of ['', '\0\0', '"', '.section', '.byte', 'r0 = (', '*(u8', 'lock', 'if', 'call', ':::', '.comm x', 'a:b:c:', '\u{1F600}']) {
    const r = assemble(t);
    assert.ok(Array.isArray(r.errors));
  }
  assert.deepEqual(hex(assemble('exit').insns), hex([insn(0x95)]));
});

test('C inline-asm templates: %[name] operands and %= labels', () => {
  const text = [
    'r1 = 0;', '*(u64*)(r10 - 8) = r1;', 'r2 = r10;', 'r2 += -8;', 'r1 = %[map_hash_8b] ll;',
    'call %[bpf_map_lookup_elem];', 'if r0 == 0 goto l0_%=;', 'r1 = %[off];', '*(u32 *)(r0 + %[off]) = r1;',
    'l0_%=:', 'r0 = 0;', 'exit;',
  ].join('\n');
  const r = assemble(text, { operands: (n) => (n === 'off' ? 4n : undefined) });
  assert.deepEqual(asmErrors(r), []);
  assert.equal(r.insns.length, 12);
  assert.deepEqual([r.insns[6].code, r.insns[6].imm], [0x85, 1]);
  assert.equal(r.insns[7].off, 2);
  assert.equal(r.insns[8].imm, 4);
  assert.equal(r.insns[9].off, 4);
  assert.deepEqual(r.sections[0].relocs.map((x) => [x.offset, x.symbol]), [[32, 'map_hash_8b']]);
  assert.ok(r.labels.has('l0_%='));
  assert.match(asmErrors(assemble('r1 = %[x];'))[0].message, /operand %\[x\] is not a constant/);
});

// The LLVM-syntax printer against llvm-objdump-19 over every valid encoding we can generate
// (raw bytes through llvm-mc), in both objdump modes (default CPU and --mcpu=v4 with alu32), and
// the assembler's round trip of the printed text. The kernel-syntax printer against the format
// strings of kernel/bpf/disasm.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Insn, LD_IMM64, encodeInsns, insn } from '../../src/bpf/isa/insn';
import { printInsnKernel, printInsnLlvm } from '../../src/bpf/isa/print';
import { validateInsns } from '../../src/bpf/isa/validate';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';

const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

/** One instance of every valid opcode form, with varied fields. */
function sampleInsns(): Insn[] {
  const out: Insn[] = [];
  const imms = [0, 1, -1, 0x7fffffff, -0x80000000, 42];
  for (const cls of [0x04, 0x07]) {
    for (let op = 0; op <= 0xc0; op += 0x10) {
      if (op === 0x80) { out.push(insn(cls | op, 3)); continue; }
      for (const imm of imms.slice(0, 3)) out.push(insn(cls | op, 3, 0, 0, imm));
      out.push(insn(cls | op | 0x08, 3, 9));
      if (op === 0x30 || op === 0x90) { out.push(insn(cls | op, 2, 0, 1, -7), insn(cls | op | 0x08, 2, 4, 1)); }
      if (op === 0xb0) for (const o of cls === 0x07 ? [8, 16, 32] : [8, 16]) out.push(insn(cls | op | 0x08, 1, 2, o));
      if (op === 0xb0 && cls === 0x07) out.push(insn(0xbf, 3, 3, 1, 0x10000), insn(0xbf, 4, 5, 1, 1));
    }
    for (const bits of [16, 32, 64]) {
      out.push(insn(cls | 0xd0, 5, 0, 0, bits));
      if (cls === 0x04) out.push(insn(cls | 0xd8, 5, 0, 0, bits));
    }
  }
  for (const cls of [0x05, 0x06]) {
    for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) {
      out.push(insn(cls | op, 1, 0, 3, -5), insn(cls | op, 10, 0, -2, 0x7fffffff), insn(cls | op | 0x08, 1, 2, 0));
    }
  }
  out.push(insn(0x05, 0, 0, 7), insn(0x05, 0, 0, -1), insn(0x06, 0, 0, 0, 100000), insn(0x06, 0, 0, 0, -3));
  out.push(insn(0x85, 0, 0, 0, 1), insn(0x85, 0, 1, 0, -1), insn(0x85, 0, 2, 0, 7), insn(0x8d, 3), insn(0x95), insn(0xe5, 0, 0, 2));
  for (const [lo, hi] of [[0, 0], [-1, -1], [0x12345678, 1], [5, -0x80000000]]) out.push(insn(LD_IMM64, 1, 0, 0, lo), insn(0, 0, 0, 0, hi));
  for (const size of [0x00, 0x08, 0x10]) out.push(insn(0x20 | size, 0, 0, 0, 12), insn(0x40 | size, 0, 3, 0, 0));
  for (const size of [0x00, 0x08, 0x10, 0x18]) {
    out.push(insn(0x61 | size, 2, 3, -8), insn(0x61 | size, 0, 10, 0x7fff));
    if (size !== 0x18) out.push(insn(0x81 | size, 2, 3, 4));
    out.push(insn(0x62 | size, 10, 0, -8, -1), insn(0x63 | size, 10, 1, -16));
    if (size === 0x00 || size === 0x18) {
      for (const a of [0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1]) out.push(insn(0xc3 | size, 2, a === 0xf1 ? 1 : 4, -8, a));
    }
  }
  return out;
}

function objdumpLines(bytes: Uint8Array, dir: string, mcpu?: string): string[] | undefined {
  const s = ['.text', '.globl f', 'f:'];
  for (let i = 0; i < bytes.length; i += 8) s.push(`.byte ${[...bytes.slice(i, i + 8)].join(',')}`);
  writeFileSync(path.join(dir, 'x.s'), s.join('\n') + '\n');
  const mc = spawnSync('llvm-mc-19', ['-triple', 'bpfel', '-filetype=obj', path.join(dir, 'x.s'), '-o', path.join(dir, 'x.o')]);
  if (mc.status !== 0) return undefined;
  const od = spawnSync('llvm-objdump-19', ['-d', ...(mcpu ? [`--mcpu=${mcpu}`] : []), path.join(dir, 'x.o')], { encoding: 'utf8' });
  return od.stdout.split('\n').filter((l) => /^\s+\d+:\t/.test(l)).map((l) => l.split('\t').slice(2).join('\t'));
}

const norm = (s: string): string => s.replace(/ <f\+0x[0-9a-f]+>/, '').replace(/\s+/g, ' ').trim();

test('every sample encoding is valid', () => {
  assert.deepEqual(validateInsns(sampleInsns()), []);
});

test('LLVM printer matches llvm-objdump-19', { skip: has('llvm-mc-19') && has('llvm-objdump-19') ? false : 'llvm-mc-19/llvm-objdump-19 not installed' }, () => {
  const insns = sampleInsns();
  const bytes = encodeInsns(insns);
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-print-'));
  try {
    for (const alu32 of [false, true]) {
      const ref = objdumpLines(bytes, dir, alu32 ? 'v4' : undefined);
      assert.ok(ref, 'llvm-mc failed');
      let compared = 0;
      let k = 0;
      for (let i = 0; i < insns.length; i++, k++) {
        const mine = printInsnLlvm(insns, i, { alu32 });
        if (insns[i].code === LD_IMM64) i++;
        if (ref[k] === '<unknown>') continue; // LLVM 19 cannot decode it (e.g. w atomics without alu32)
        // Without alu32, LLVM 19 decodes every 32-bit atomic as `lock ... +=` whatever its imm.
        if (!alu32 && insns[i].code === 0xc3 && insns[i].imm !== 0) continue;
        assert.equal(norm(mine), norm(ref[k]), `insn ${i} alu32=${alu32}`);
        compared++;
      }
      assert.equal(k, ref.length);
      assert.ok(compared > insns.length * 0.9, `compared ${compared}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('printed LLVM text assembles back to the same bytes', () => {
  const insns = [...sampleInsns(), insn(0xdb, 0, 1, 4, 0x100), insn(0xdb, 2, 3, -8, 0x110), insn(0xd3, 0, 1, 0, 0x100)];
  for (const alu32 of [false, true]) {
    const lines: string[] = [];
    for (let i = 0; i < insns.length; i++) {
      lines.push(printInsnLlvm(insns, i, { alu32 }));
      if (insns[i].code === LD_IMM64) i++;
    }
    const r = assemble(lines.join('\n'), { syntax: 'llvm' });
    assert.deepEqual(asmErrors(r).map((e) => `${lines[e.range.line]}: ${e.message}`), []);
    // `call N` does not say whether N is a helper ID, a pseudo-call offset or a kfunc BTF ID (the
    // src field): llvm-objdump prints all three alike, so the text cannot carry it.
    const noCallSrc = (xs: Insn[]): Insn[] => xs.map((x) => (x.code === 0x85 ? { ...x, src: 0 } : x));
    assert.deepEqual([...encodeInsns(noCallSrc(r.insns))], [...encodeInsns(noCallSrc(insns))]);
  }
});

test('kernel printer uses the verifier log syntax', () => {
  const k = (...xs: Insn[]): string => printInsnKernel(xs, 0);
  assert.equal(k(insn(0xbf, 6, 1)), '(bf) r6 = r1');
  assert.equal(k(insn(0xb4, 1, 0, 0, -3)), '(b4) w1 = -3');
  assert.equal(k(insn(0x85, 0, 0, 0, 1)), '(85) call bpf_map_lookup_elem#1');
  assert.equal(k(insn(0x85, 0, 1, 0, 5)), '(85) call pc+5');
  assert.equal(k(insn(0x85, 0, 2, 0, 1234)), '(85) call kernel-function#1234');
  assert.equal(k(insn(0x61, 0, 1, 4)), '(61) r0 = *(u32 *)(r1 +4)');
  assert.equal(k(insn(0x91, 0, 1, -2)), '(91) r0 = *(s8 *)(r1 -2)');
  assert.equal(k(insn(0x7b, 10, 1, -8)), '(7b) *(u64 *)(r10 -8) = r1');
  assert.equal(k(insn(0x62, 10, 0, -4, 0)), '(62) *(u32 *)(r10 -4) = 0');
  assert.equal(k(insn(0x15, 0, 0, 3, 0)), '(15) if r0 == 0x0 goto pc+3');
  assert.equal(k(insn(0xa6, 1, 0, -2, -1)), '(a6) if w1 < 0xffffffff goto pc-2');
  assert.equal(k(insn(0x2d, 1, 2, 1)), '(2d) if r1 > r2 goto pc+1');
  assert.equal(k(insn(0x05, 0, 0, -1)), '(05) goto pc-1');
  assert.equal(k(insn(0x06, 0, 0, 0, 70000)), '(06) gotol pc+70000');
  assert.equal(k(insn(0xe5, 0, 0, 4)), '(e5) may_goto pc+4');
  assert.equal(k(insn(0x95)), '(95) exit');
  assert.equal(k(insn(0xdc, 1, 0, 0, 16)), '(dc) r1 = be16 r1');
  assert.equal(k(insn(0xd7, 1, 0, 0, 64)), '(d7) r1 = bswap64 r1');
  assert.equal(k(insn(0x87, 3)), '(87) r3 = -r3');
  assert.equal(k(insn(0xbf, 1, 2, 8)), '(bf) r1 = (s8)r2');
  assert.equal(k(insn(0x3f, 1, 2, 1)), '(3f) r1 s/= r2');
  assert.equal(k(insn(0xdb, 1, 2, 0, 0x00)), '(db) lock *(u64 *)(r1 +0) += r2');
  assert.equal(k(insn(0xc3, 1, 2, 8, 0x51)), '(c3) r2 = atomic_fetch_and((u32 *)(r1 +8), r2)');
  assert.equal(k(insn(0xdb, 1, 2, 0, 0xf1)), '(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)');
  assert.equal(k(insn(0xdb, 1, 2, 0, 0xe1)), '(db) r2 = atomic64_xchg((u64 *)(r1 +0), r2)');
  assert.equal(k(insn(0x30, 0, 0, 0, 14)), '(30) r0 = *(u8 *)skb[14]');
  assert.equal(k(insn(0x40, 0, 7, 0, 2)), '(40) r0 = *(u32 *)skb[r7 + 2]');
  assert.equal(k(insn(LD_IMM64, 1, 0, 0, 5), insn(0, 0, 0, 0, 1)), '(18) r1 = 0x100000005');
  const map = [insn(LD_IMM64, 1, 1, 0, 7), insn(0)];
  assert.equal(printInsnKernel(map, 0, { immName: () => 'map[id:7]' }), '(18) r1 = map[id:7]');
  assert.equal(printInsnKernel(map, 0, { allowPtrLeaks: false }), '(18) r1 = 0x0');
});

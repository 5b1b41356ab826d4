// The kernel-syntax printer against the running kernel's own verifier log: a program that
// exercises every instruction class is loaded (as a socket filter, log level 2) and each
// instruction line of the log (the 6.18 liveness listing and the step-by-step lines) must equal
// printInsnKernel's text. Skipped where bpf() is not
// permitted or python3 is missing (the loader helper is a small ctypes script).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';
import { encodeInsns } from '../../src/bpf/isa/insn';
import { printInsnKernel } from '../../src/bpf/isa/print';

const PROGRAM = `r6 = r1
r0 = 0
w1 = -3
r2 = 0x123456789 ll
r3 = r2
r3 += 7
w3 -= w1
r3 *= r3
r3 s/= 3
w3 s%= w1
r3 <<= 2
r3 s>>= 1
r4 = (s8)r3
w5 = (s16)w3
r4 = be16 r4
r4 = bswap64 r4
r4 = le32 r4
w4 = -w4
*(u64 *)(r10 - 8) = r3
*(u32 *)(r10 - 16) = 5
r1 = 1
lock *(u64 *)(r10 - 8) += r1
r1 = atomic_fetch_or((u64 *)(r10 - 8), r1)
r0 = cmpxchg_64(r10 - 8, r0, r1)
r1 = xchg_64(r10 - 8, r1)
r7 = *(u64 *)(r10 - 8)
r1 = load_acquire((u64 *)(r10 - 8))
store_release((u32 *)(r10 - 16), w1)
w1 = atomic_fetch_add((u32 *)(r10 - 16), w1)
r8 = *(s32 *)(r10 - 16)
if r7 > r8 goto +1
r7 = 9
if w7 s< -5 goto +1
call 5
gotol +0
r0 = *(u8 *)skb[3]
r0 = *(u16 *)skb[r8]
r0 = 0
exit`;


test('kernel printer matches the running kernel verifier log', (t) => {
  if (spawnSync('python3', ['--version']).status !== 0) { t.skip('python3 not installed'); return; }
  const r = assemble(PROGRAM);
  assert.deepEqual(asmErrors(r), []);
  const hex = Buffer.from(encodeInsns(r.insns)).toString('hex');
  const out = spawnSync('python3', [path.join(__dirname, 'kernel-log.py')], { input: hex, encoding: 'utf8' });
  if (out.status === 3) { t.skip('bpf() not permitted here'); return; }
  assert.equal(out.status, 0, out.stderr);
  const seen = new Map<number, string>();
  for (const line of out.stdout.split('\n')) {
    const m = /^\s*(\d+): (?:[.0-9]{10} )?(\([0-9a-f]{2}\) .*?)\s*(?:;.*)?$/.exec(line);
    if (m && !seen.has(Number(m[1]))) seen.set(Number(m[1]), m[2]);
  }
  assert.ok(seen.size >= 30, `only ${seen.size} instruction lines in the log:\n${out.stdout.slice(0, 2000)}`);
  for (const [idx, text] of seen) assert.equal(printInsnKernel(r.insns, idx), text, `insn ${idx}`);
});

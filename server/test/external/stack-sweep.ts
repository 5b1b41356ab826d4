// Differential sweep of narrow stack spills and fills: a constant or a bounded scalar stored with
// 1/2/4/8-byte writes at every aligned offset of a slot (empty, zeroed or holding a spill), read
// back with every aligned size, and returned from a cgroup_skb program: the kernel's return-range
// message prints the tracked bounds of the filled value, so each disagreement in tracking shows.
//
//   node --import tsx server/test/external/stack-sweep.ts
import type { Insn } from '../../src/bpf/isa/insn';
import { oracle } from '../diff/oracle';
import { judgeSweep, newTally, sweepSummary } from './sweep';
import type { GenProgram } from '../diff/gen';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const SZ: Record<number, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };
const VALUES: [string, Insn[]][] = [
  ['c3', [I(0xb7, 2, 0, 0, 3)]],
  ['c0', [I(0xb7, 2, 0, 0, 0)]],
  ['cbig', [I(0x18, 2, 0, 0, 3), I(0, 0, 0, 0, 1)]],
  ['u8', [I(0x61, 2, 1, 0, 0), I(0x57, 2, 0, 0, 0xff)]],
  ['any', [I(0x61, 2, 1, 0, 0), I(0x67, 2, 0, 0, 32), I(0x61, 3, 1, 4, 0), I(0x4f, 2, 3, 0, 0)]],
  ['imm5', []],
];
const PRE: [string, Insn[]][] = [
  ['none', []],
  ['zero', [I(0x7a, 10, 0, -16, 0)]],
  ['spill', [I(0xb7, 4, 0, 0, 7), I(0x7b, 10, 4, -16, 0)]],
];

const o = oracle();
if (!o.ok) {
  console.log(`skipped: ${o.reason}`);
  process.exit(0);
}
const progs: GenProgram[] = [];
for (const [pn, pre] of PRE) for (const [vn, val] of VALUES) for (const ws of [1, 2, 4, 8]) for (let wd = 0; wd < 8; wd += ws) {
  for (const rs of [1, 2, 4, 8]) for (let rd = 0; rd < 8; rd += rs) {
    const store = vn === 'imm5' ? I(0x62 | SZ[ws], 10, 0, -16 + wd, 5) : I(0x63 | SZ[ws], 10, 2, -16 + wd, 0);
    const insns = [...pre, ...val, store, I(0x61 | SZ[rs], 0, 10, -16 + rd, 0), I(0x95, 0, 0, 0, 0)];
    progs.push({ name: `s_${pn}_${vn}_w${ws}@${wd}_r${rs}@${rd}`, progType: 8, expectedAttachType: 0, license: 'GPL', insns, maps: [], origin: 'stack sweep' });
  }
}
console.log(sweepSummary('stack sweep', judgeSweep(progs, newTally(), { chunk: 2000 })));

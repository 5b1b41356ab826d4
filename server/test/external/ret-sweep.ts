// Differential sweep of program return values per networking program and attach type: constants
// around each type's allowed range and small unknown values, against the running kernel.
//
//   node --import tsx server/test/external/ret-sweep.ts
import type { Insn } from '../../src/bpf/isa/insn';
import { oracle } from '../diff/oracle';
import { judgeSweep, newTally, sweepSummary } from './sweep';
import type { GenProgram } from '../diff/gen';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const COMBOS: [number, number][] = [
  [1, 0], [3, 0], [3, 46], [4, 0], [6, 37], [6, 33], [6, 35], [8, 0], [8, 1], [9, 2], [9, 12], [9, 34], [10, 0], [12, 0], [13, 3],
  [14, 4], [14, 5], [15, 6], [16, 7], [18, 8], [18, 10], [18, 14], [18, 19], [18, 29], [18, 31], [18, 49], [18, 52], [19, 0],
  [21, 39], [21, 40], [22, 17], [23, 18], [25, 21], [25, 22], [30, 36], [32, 45],
];
const o = oracle();
if (!o.ok) {
  console.log(`skipped: ${o.reason}`);
  process.exit(0);
}
const progs: GenProgram[] = [];
for (const [pt, eat] of COMBOS) {
  for (const v of [-1, 0, 1, 2, 3, 4, 5, 7, 8, 0x7fffffff]) {
    progs.push({ name: `r${pt}_${eat}_c${v}`, progType: pt, expectedAttachType: eat, license: 'GPL', maps: [], origin: 'ret sweep',
      insns: [I(0xb7, 0, 0, 0, v), I(0x95, 0, 0, 0, 0)] });
  }
  for (const mask of [1, 3, 7, -1]) {
    progs.push({ name: `r${pt}_${eat}_m${mask}`, progType: pt, expectedAttachType: eat, license: 'GPL', maps: [], origin: 'ret sweep',
      insns: [I(0x85, 0, 0, 0, 7), I(0x57, 0, 0, 0, mask), I(0x95, 0, 0, 0, 0)] });
  }
}
console.log(sweepSummary('ret sweep', judgeSweep(progs, newTally())));

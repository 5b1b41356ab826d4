// Differential sweep of ctx access rules: for networking program types (and their attach types),
// every aligned ctx offset and size, one load and one store, checked by the running kernel and by
// bpfls. Prints every disagreement (UNSOUND: bpfls accepts what the kernel refuses).
//
//   node --import tsx server/test/external/ctx-sweep.ts [PROGTYPE[:EAT] ...]
import type { Insn } from '../../src/bpf/isa/insn';
import { oracle } from '../diff/oracle';
import { judgeSweep, newTally, sweepSummary } from './sweep';
import type { GenProgram } from '../diff/gen';

/** [prog type, expected attach type, ctx size in bytes] */
const COMBOS: [number, number, number][] = [
  [1, 0, 192], [3, 0, 192], [3, 46, 192], [4, 0, 192], [6, 37, 24], [6, 33, 24], [6, 35, 24], [8, 0, 192], [8, 1, 192],
  [9, 2, 80], [9, 12, 80], [9, 13, 80], [9, 34, 80], [10, 0, 192], [11, 0, 192], [12, 0, 192], [19, 0, 192], [13, 3, 224],
  [14, 4, 192], [14, 5, 192], [14, 38, 192], [15, 6, 12], [16, 7, 72], [18, 8, 72], [18, 9, 72], [18, 10, 72], [18, 11, 72],
  [18, 14, 72], [18, 15, 72], [18, 19, 72], [18, 20, 72], [18, 29, 72], [18, 32, 72], [18, 49, 72], [18, 50, 72],
  [21, 39, 72], [21, 40, 72], [22, 17, 192], [23, 18, 16], [25, 21, 40], [25, 22, 40], [30, 36, 72], [32, 45, 16],
];

const SIZES: [number, number][] = [[1, 0x10], [2, 0x08], [4, 0x00], [8, 0x18]];

/** A load (then, with deref, a 1-byte load through the loaded value: shows its type), or a store. */
function program(pt: number, eat: number, off: number, size: number, sz: number, write: boolean, deref = false): GenProgram {
  const insns: Insn[] = write
    ? [{ code: 0xb7, dst: 2, src: 0, off: 0, imm: 0 }, { code: 0x63 | sz, dst: 1, src: 2, off, imm: 0 }]
    : [{ code: 0x61 | sz, dst: 2, src: 1, off, imm: 0 }];
  if (deref) insns.push({ code: 0x71, dst: 3, src: 2, off: 0, imm: 0 });
  insns.push({ code: 0xb7, dst: 0, src: 0, off: 0, imm: pt === 6 ? 2 : pt === 22 ? 0 : 1 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  return { name: `t${pt}_e${eat}_${write ? 'w' : deref ? 'd' : 'r'}${size}_${off < 0 ? 'm' + -off : off}`, progType: pt, expectedAttachType: eat, license: 'GPL', insns, maps: [], origin: 'ctx sweep' };
}

const o = oracle();
if (!o.ok) {
  console.log(`skipped: ${o.reason}`);
  process.exit(0);
}
const want = process.argv.slice(2);
const tally = newTally();
for (const [pt, eat, ctxSize] of COMBOS) {
  if (want.length && !want.includes(`${pt}`) && !want.includes(`${pt}:${eat}`)) continue;
  const progs: GenProgram[] = [];
  for (const [size, sz] of SIZES) {
    for (let off = -size; off < ctxSize + 8; off += size) {
      for (const w of [false, true]) progs.push(program(pt, eat, off, size, sz, w));
      if (size >= 4 && off >= 0) progs.push(program(pt, eat, off, size, sz, false, true));
    }
  }
  judgeSweep(progs, tally);
}
console.log(sweepSummary('ctx sweep', tally));

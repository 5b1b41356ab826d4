// Differential sweep of helper calls per networking program type: every helper id called with
// ctx in R1 and (a) zeros, (b) an initialised 16-byte stack buffer and its size, (c) a map pointer
// (array map) and a stack key, in the other argument registers. The kernel's answers cover helper
// availability per program type and attach type, and the first argument type checks; prints every
// disagreement (UNSOUND: bpfls accepts what the kernel refuses).
//
//   node --import tsx server/test/external/helper-sweep.ts [PROGTYPE[:EAT] ...]
import type { Insn } from '../../src/bpf/isa/insn';
import { oracle } from '../diff/oracle';
import { judgeSweep, newTally, sweepSummary } from './sweep';
import type { GenProgram } from '../diff/gen';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const COMBOS: [number, number][] = [
  [1, 0], [3, 0], [4, 0], [6, 37], [6, 33], [8, 0], [9, 2], [9, 12], [10, 0], [12, 0], [13, 3], [14, 5], [15, 6], [16, 7],
  [18, 8], [18, 10], [18, 11], [18, 15], [18, 19], [18, 29], [18, 32], [18, 49], [18, 50], [18, 51], [18, 52], [18, 53], [25, 22], [21, 39], [22, 17], [23, 18], [25, 21], [30, 36], [32, 45],
];
const MAX_HELPER = 211;

function build(pt: number, eat: number, helper: number, variant: number): GenProgram {
  const insns: Insn[] = [
    I(0x7a, 10, 0, -8, 0), I(0x7a, 10, 0, -16, 0), // *(u64 *)(fp-8) = 0; *(u64 *)(fp-16) = 0
  ];
  if (variant === 0) insns.push(I(0xb7, 2, 0, 0, 0), I(0xb7, 3, 0, 0, 0), I(0xb7, 4, 0, 0, 0), I(0xb7, 5, 0, 0, 0));
  if (variant === 1) insns.push(I(0xbf, 2, 10, 0, 0), I(0x07, 2, 0, 0, -16), I(0xb7, 3, 0, 0, 16), I(0xb7, 4, 0, 0, 0), I(0xb7, 5, 0, 0, 0));
  if (variant === 2) {
    insns.push(I(0x18, 2, 1, 0, 0), I(0, 0, 0, 0, 0), I(0xbf, 3, 10, 0, 0), I(0x07, 3, 0, 0, -8), I(0xb7, 4, 0, 0, 0), I(0xb7, 5, 0, 0, 0));
  }
  if (variant === 3) {
    // a packet pointer (unchecked) and a size: only pkt_access helpers take it
    const dataOff: Record<number, [number, number]> = { 6: [0, 0x61], 16: [0, 0x79], 21: [0, 0x79], 25: [8, 0x79], 13: [192, 0x79] };
    const [off, code] = dataOff[pt] ?? [76, 0x61];
    insns.push(I(code, 2, 1, off, 0), I(0xb7, 3, 0, 0, 8), I(0xb7, 4, 0, 0, 0), I(0xb7, 5, 0, 0, 0));
  }
  insns.push(I(0x85, 0, 0, 0, helper), I(0xb7, 0, 0, 0, pt === 6 ? 2 : pt === 22 ? 0 : 1), I(0x95, 0, 0, 0, 0));
  return {
    name: `h${pt}_${eat}_${helper}_${variant}`, progType: pt, expectedAttachType: eat, license: 'GPL', insns,
    maps: variant === 2 ? [{ type: 2, keySize: 4, valueSize: 16, maxEntries: 4 }] : [], origin: 'helper sweep',
  };
}

const o = oracle();
if (!o.ok) {
  console.log(`skipped: ${o.reason}`);
  process.exit(0);
}
const want = process.argv.slice(2);
const tally = newTally();
for (const [pt, eat] of COMBOS) {
  if (want.length && !want.includes(`${pt}`) && !want.includes(`${pt}:${eat}`)) continue;
  const progs: GenProgram[] = [];
  for (let h = 1; h <= MAX_HELPER; h++) for (let v = 0; v < 4; v++) progs.push(build(pt, eat, h, v));
  judgeSweep(progs, tally);
}
console.log(sweepSummary('helper sweep', tally));

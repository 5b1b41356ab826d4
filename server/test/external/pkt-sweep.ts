// Differential sweep of direct packet access: data/data_end (and data_meta/data) comparisons with
// every conditional jump (64- and 32-bit, both operand orders, both branches), constant and
// variable offsets, loads and stores of each size, in XDP and TC programs. Prints every
// disagreement with the running kernel (UNSOUND: bpfls accepts what the kernel refuses).
//
//   node --import tsx server/test/external/pkt-sweep.ts
import type { Insn } from '../../src/bpf/isa/insn';
import { oracle } from '../diff/oracle';
import { judgeSweep, newTally, sweepSummary } from './sweep';
import type { GenProgram } from '../diff/gen';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const JOPS: [string, number][] = [['jgt', 0x20], ['jge', 0x30], ['jlt', 0xa0], ['jle', 0xb0], ['jeq', 0x10], ['jne', 0x50], ['jsgt', 0x60], ['jslt', 0xc0]];
const SZ: [number, number][] = [[1, 0x10], [2, 0x08], [4, 0x00], [8, 0x18]];

interface Variant { pt: number; meta: boolean; jop: number; jmp32: boolean; swap: boolean; k: number; varOff: boolean; acc: number; size: number; sz: number; store: boolean; inTaken: boolean }

function build(v: Variant, name: string): GenProgram {
  // ctx offsets of data, data_end, data_meta: xdp_md 0/4/8, __sk_buff 76/80/140
  const [dOff, eOff, mOff] = v.pt === 6 ? [0, 4, 8] : [76, 80, 140];
  const insns: Insn[] = [];
  if (v.meta) {
    insns.push(I(0x61, 2, 1, mOff, 0), I(0x61, 3, 1, dOff, 0)); // r2 = meta, r3 = data (the bound)
  } else {
    insns.push(I(0x61, 2, 1, dOff, 0), I(0x61, 3, 1, eOff, 0)); // r2 = data, r3 = data_end
  }
  if (v.varOff) {
    // r5 = a small unknown (the ingress ifindex/len masked), added to the start pointer
    insns.push(I(0x61, 5, 1, v.pt === 6 ? 12 : 0, 0), I(0x57, 5, 0, 0, 0x1f), I(0x0f, 2, 5, 0, 0));
  }
  insns.push(I(0xbf, 4, 2, 0, 0), I(0x07, 4, 0, 0, v.k));
  const access = v.store ? [I(0x62 | v.sz, 2, 0, v.acc, 7)] : [I(0x61 | v.sz, 0, 2, v.acc, 0)];
  const cls = v.jmp32 ? 0x06 : 0x05;
  const [dst, src] = v.swap ? [3, 4] : [4, 3];
  // if (cond) goto taken; fallthrough: [access if !inTaken]; exit; taken: [access if inTaken]; exit
  const fall = v.inTaken ? [] : access;
  insns.push(I(cls | v.jop | 0x08, dst, src, fall.length + 2, 0), ...fall, I(0xb7, 0, 0, 0, v.pt === 6 ? 2 : 0), I(0x95, 0, 0, 0, 0));
  insns.push(...(v.inTaken ? access : []), I(0xb7, 0, 0, 0, v.pt === 6 ? 2 : 0), I(0x95, 0, 0, 0, 0));
  return { name, progType: v.pt, expectedAttachType: v.pt === 6 ? 37 : 0, license: 'GPL', insns, maps: [], origin: 'pkt sweep' };
}

const o = oracle();
if (!o.ok) {
  console.log(`skipped: ${o.reason}`);
  process.exit(0);
}
const progs: GenProgram[] = [];
let id = 0;
for (const pt of [6, 3]) for (const meta of [false, true]) for (const [, jop] of JOPS) for (const jmp32 of [false, true]) for (const swap of [false, true]) {
  for (const k of [0, 1, 8, 14]) for (const varOff of [false, true]) for (const inTaken of [false, true]) {
    for (const [size, sz] of SZ) for (const acc of [-1, 0, k - size, k - size + 1]) for (const store of [false, true]) {
      if (store && (size === 8 || acc !== 0)) continue;
      progs.push(build({ pt, meta, jop, jmp32, swap, k, varOff, acc, size, sz, store, inTaken }, `p${id++}`));
    }
  }
}
const filter = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
const describe = (p: GenProgram): string => `${p.name} [${p.insns.map((x) => `${x.code.toString(16)}:${x.dst}${x.src}:${x.off}:${x.imm}`).join(' ')}]`;
console.log(sweepSummary('pkt sweep', judgeSweep(progs, newTally(), { chunk: 4000, describe, filter })));

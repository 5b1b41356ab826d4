// A generator of random BPF programs the kernel's verifier accepts, for the emulator's parity test.
// Each program is XDP, tc (sched_cls) or a socket filter; it initialises every register and the
// stack, runs a random body (ALU64/ALU32 incl. v4 sdiv/smod/movsx/bswap, loads and stores on the
// stack and the packet, atomics, forward conditional jumps, bounded loops, map helpers, LD_ABS/
// LD_IND), then stores all scalar registers into the packet (or folds them into r0), so data_out
// and retval expose the full machine state.
import { insn, type Insn } from '../../src/bpf/isa/insn';
import { ProgType } from '../../src/bpf/progtypes';

export interface GenMap { type: number; keySize: number; valueSize: number; maxEntries: number }

export interface GenProgram {
  seed: number;
  progType: number;
  insns: Insn[];
  maps: GenMap[];
  dataIn: Uint8Array;
  ctxIn?: Uint8Array;
}

export const GEN_MAPS: GenMap[] = [
  { type: 2, keySize: 4, valueSize: 16, maxEntries: 4 }, // array
  { type: 1, keySize: 4, valueSize: 8, maxEntries: 4 }, // hash
];

class Rng {
  private a: number;
  constructor(seed: number) { this.a = seed | 0; }
  u32(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), 1 | this.a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number { return this.u32() % n; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  chance(p: number): boolean { return this.u32() / 0x100000000 < p; }
  /** an immediate biased toward edge values */
  imm(): number {
    switch (this.int(6)) {
      case 0: return this.pick([0, 1, -1, 2, 0x7fffffff, -0x80000000, 31, 32, 63, 64, 0xff, 0xffff]);
      case 1: return this.int(16) - 8;
      case 2: return this.int(256);
      default: return this.u32() | 0;
    }
  }
}

const SCALARS = [0, 1, 2, 3, 4, 5, 9];
const ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0];
const JMP_OPS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
const PKT_SIZE = 128;

type Stmt = { insns: Insn[]; jumpTo?: number; callsSub?: boolean };

export function generateProgram(seed: number): GenProgram {
  const r = new Rng(seed * 2654435761 + 12345);
  const kind = r.int(10);
  const progType = kind < 6 ? ProgType.XDP : kind < 9 ? ProgType.SCHED_CLS : ProgType.SOCKET_FILTER;
  const direct = progType !== ProgType.SOCKET_FILTER;
  const body: Stmt[] = [];
  const reg = () => r.pick(SCALARS);
  const ld64 = (d: number, lo: number, hi: number): Insn[] => [insn(0x18, d, 0, 0, lo), insn(0, 0, 0, 0, hi)];
  const reinit = (): Insn[] => [1, 2, 3, 4, 5].map((d) => insn(0xb7, d, 0, 0, r.imm()));

  const nStmts = 10 + r.int(40);
  // a static subprogram (BPF-to-BPF call); not with LD_ABS, which the verifier refuses to mix with calls
  const hasSub = progType !== ProgType.SOCKET_FILTER && r.chance(0.3);
  for (let s = 0; s < nStmts; s++) {
    const k = r.int(100);
    const d = reg();
    if (hasSub && r.chance(0.06)) {
      body.push({ insns: [insn(0x85, 0, 1, 0, 0), ...reinit()], callsSub: true });
      continue;
    }
    if (direct && r.chance(0.04)) { // csum_diff over initialised stack (not offered to socket filters)
      const fs = r.pick([0, 4, 8]), ts = r.pick([0, 4, 8, 16]);
      body.push({ insns: [insn(0xbf, 1, 10), insn(0x07, 1, 0, 0, -16), insn(0xb7, 2, 0, 0, fs), insn(0xbf, 3, 10), insn(0x07, 3, 0, 0, -40),
        insn(0xb7, 4, 0, 0, ts), insn(0xbf, 5, r.pick([0, 9])), insn(0x85, 0, 0, 0, 28), ...reinit()] });
      continue;
    }
    if (r.chance(0.04)) { // copy packet bytes to the stack with a helper (skb_load_bytes, xdp_load_bytes)
      const len = 1 + r.int(16);
      body.push({ insns: [insn(0xbf, 1, 6), insn(0xb7, 2, 0, 0, r.int(PKT_SIZE + 30)), insn(0xbf, 3, 10), insn(0x07, 3, 0, 0, -48 - 8 * Math.ceil(len / 8) + 8),
        insn(0xb7, 4, 0, 0, len), insn(0x85, 0, 0, 0, progType === ProgType.XDP ? 189 : 26), ...reinit()] });
      continue;
    }
    if (k < 30) { // ALU with immediate or register, 64 or 32 bits
      const cls = r.chance(0.5) ? 0x07 : 0x04;
      const op = r.pick(ALU_OPS);
      const x = r.chance(0.5) && op !== 0x80;
      let imm = r.imm();
      let off = 0;
      if (op === 0x60 || op === 0x70 || op === 0xc0) imm &= cls === 0x07 ? 63 : 31;
      if ((op === 0x30 || op === 0x90) && r.chance(0.4)) off = 1; // sdiv / smod
      if ((op === 0x30 || op === 0x90) && !x && imm === 0) imm = 3;
      if (op === 0xb0 && x && r.chance(0.3)) off = cls === 0x07 ? r.pick([8, 16, 32]) : r.pick([8, 16]); // movsx
      if (op === 0x80) body.push({ insns: [insn(cls | op, d)] });
      else body.push({ insns: [insn(cls | op | (x ? 0x08 : 0), d, x ? reg() : 0, off, x ? 0 : imm)] });
    } else if (k < 34) { // byte swaps
      const c = r.pick([0xd4, 0xdc, 0xd7]);
      body.push({ insns: [insn(c, d, 0, 0, r.pick([16, 32, 64]))] });
    } else if (k < 37) {
      body.push({ insns: ld64(d, r.imm(), r.imm()) });
    } else if (k < 45) { // stack store / load, aligned inside one of the 12 initialised slots
      const size = r.pick([1, 2, 4, 8]);
      const off = -8 * (1 + r.int(12)) + size * r.int(8 / size);
      const sz = size === 1 ? 0x10 : size === 2 ? 0x08 : size === 4 ? 0x00 : 0x18;
      if (r.chance(0.5)) body.push({ insns: [r.chance(0.5) ? insn(0x63 | sz, 10, reg(), off) : insn(0x62 | sz, 10, 0, off, r.imm())] });
      else body.push({ insns: [insn((r.chance(0.3) && size < 8 ? 0x81 : 0x61) | sz, d, 10, off)] });
    } else if (k < 53 && direct) { // packet load / store through r7
      const size = r.pick([1, 2, 4, 8]);
      const sz = size === 1 ? 0x10 : size === 2 ? 0x08 : size === 4 ? 0x00 : 0x18;
      const off = r.int(PKT_SIZE - size + 1);
      if (r.chance(0.6)) body.push({ insns: [insn((r.chance(0.3) && size < 8 ? 0x81 : 0x61) | sz, d, 7, off)] });
      else body.push({ insns: [r.chance(0.5) ? insn(0x63 | sz, 7, reg(), off) : insn(0x62 | sz, 7, 0, off, r.imm())] });
    } else if (k < 58) { // atomics on the stack
      const dw = r.chance(0.6);
      const off = dw ? -8 * (1 + r.int(8)) : -4 * (1 + r.int(16));
      const op = r.pick([0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1]);
      body.push({ insns: [insn(dw ? 0xdb : 0xc3, 10, reg(), off, op)] });
    } else if (k < 72) { // forward conditional jump (target fixed up below)
      const cls = r.chance(0.5) ? 0x05 : 0x06;
      const x = r.chance(0.5);
      body.push({ insns: [insn(cls | r.pick(JMP_OPS) | (x ? 0x08 : 0), d, x ? reg() : 0, 0, x ? 0 : r.imm())], jumpTo: s + 1 + r.int(8) });
    } else if (k < 76) { // bounded loop on r8 with an ALU body
      const n = 1 + r.int(12);
      const inner: Insn[] = [];
      const m = 1 + r.int(4);
      for (let i = 0; i < m; i++) {
        const op = r.pick([0x00, 0x10, 0x20, 0x40, 0x50, 0xa0, 0x60, 0x70]);
        const x = r.chance(0.5);
        let imm = r.imm();
        if (op === 0x60 || op === 0x70) imm &= 63;
        inner.push(insn(0x07 | op | (x ? 0x08 : 0), reg(), x ? reg() : 0, 0, x ? 0 : imm));
      }
      body.push({ insns: [insn(0xb7, 8, 0, 0, n), ...inner, insn(0x17, 8, 0, 0, 1), insn(0x55, 8, 0, -(inner.length + 2), 0)] });
    } else if (k < 86) { // map helpers: key at fp-72, value at fp-88
      const which = r.int(4);
      const keyInsns: Insn[] = r.chance(0.5)
        ? [insn(0x62, 10, 0, -72, r.int(6))]
        : [insn(0xbf, 1, reg(), 0, 0), insn(0x57, 1, 0, 0, 7), insn(0x63, 10, 1, -72, 0)];
      const mapRef = (idx: number): Insn[] => [insn(0x18, 1, 5, 0, idx), insn(0, 0, 0, 0, 0)];
      const key: Insn[] = [insn(0xbf, 2, 10, 0, 0), insn(0x07, 2, 0, 0, -72)];
      let call: Insn[];
      if (which === 0 || which === 1) { // lookup, then read into r9 and write a scalar into the value
        const m = which;
        const voff = GEN_MAPS[m].valueSize === 16 ? r.pick([0, 8]) : 0;
        const tail: Insn[] = [insn(0x79, 9, 0, voff, 0), insn(0x07, 9, 0, 0, r.imm()), insn(0x7b, 0, 9, voff, 0)];
        call = [...keyInsns, ...mapRef(m), ...key, insn(0x85, 0, 0, 0, 1), insn(0x15, 0, 0, tail.length, 0), ...tail, insn(0xb7, 0, 0, 0, r.imm())];
      } else if (which === 2) { // update the hash map
        call = [...keyInsns, insn(0x7b, 10, reg(), -88, 0), ...mapRef(1), ...key,
          insn(0xbf, 3, 10, 0, 0), insn(0x07, 3, 0, 0, -88), insn(0xb7, 4, 0, 0, r.int(3)), insn(0x85, 0, 0, 0, 2)];
      } else { // delete from the hash map
        call = [...keyInsns, ...mapRef(1), ...key, insn(0x85, 0, 0, 0, 3)];
      }
      body.push({ insns: [...call, ...reinit()] });
    } else if (k < 92 && progType === ProgType.SOCKET_FILTER) { // LD_ABS / LD_IND
      const size = r.pick([0x00, 0x08, 0x10]);
      const ind = r.chance(0.4);
      const src = reg();
      const ins = ind ? insn(0x40 | size, 0, src === 0 ? 9 : src, 0, r.int(80)) : insn(0x20 | size, 0, 0, 0, r.int(120));
      body.push({ insns: [ins, ...reinit()] });
    } else if (k < 96 && progType === ProgType.SCHED_CLS) { // __sk_buff fields
      if (r.chance(0.6)) body.push({ insns: [insn(0x61, d, 6, r.pick([0, 4, 8, 16, 32, 40, 48, 52, 56, 60, 64]))] });
      else body.push({ insns: [insn(0x63, 6, reg(), r.pick([8, 32, 48, 52, 56, 60, 64]))] });
    } else {
      body.push({ insns: [insn(0x07 | r.pick(ALU_OPS.filter((o) => o !== 0x30 && o !== 0x90 && o !== 0x80)) | 0x08, d, reg(), 0, 0)] });
    }
  }

  if (hasSub && !body.some((st) => st.callsSub)) body.push({ insns: [insn(0x85, 0, 1, 0, 0), ...reinit()], callsSub: true });

  // prologue
  const pro: Insn[] = [insn(0xbf, 6, 1, 0, 0)];
  if (direct) {
    const [od, oe] = progType === ProgType.XDP ? [0, 4] : [76, 80];
    pro.push(insn(0x61, 7, 6, od), insn(0x61, 8, 6, oe), insn(0xbf, 1, 7, 0, 0), insn(0x07, 1, 0, 0, PKT_SIZE));
    pro.push(insn(0x2d, 1, 8, 0, 0)); // if r1 > r8 goto out (fixed below)
  }
  for (const d of SCALARS) pro.push(...(r.chance(0.5) ? ld64(d, r.imm(), r.imm()) : [insn(0xb7, d, 0, 0, r.imm())]));
  for (let o = 8; o <= 96; o += 8) pro.push(insn(0x7b, 10, reg(), -o, 0));
  pro.push(insn(0xb7, 8, 0, 0, 0));

  // epilogue: expose every scalar register
  const epi: Insn[] = [];
  if (direct) {
    SCALARS.forEach((d, i) => epi.push(insn(0x7b, 7, d, 64 + 8 * i, 0)));
  } else {
    for (const d of SCALARS.slice(1)) {
      epi.push(insn(0xaf, 0, d, 0, 0), insn(0xbf, 1, d, 0, 0), insn(0x77, 1, 0, 0, 32), insn(0xaf, 0, 1, 0, 0));
    }
  }
  epi.push(insn(0x95));
  const out: Insn[] = direct ? [insn(0xb7, 0, 0, 0, 0), insn(0x95)] : [];

  // lay out: statement start indices, then fix jump offsets
  const starts: number[] = [];
  let pos = pro.length;
  for (const st of body) { starts.push(pos); pos += st.insns.length; }
  const epiStart = pos;
  const outStart = epiStart + epi.length;
  const insns: Insn[] = [...pro];
  body.forEach((st, i) => {
    if (st.jumpTo !== undefined) {
      const target = st.jumpTo >= body.length ? epiStart : starts[st.jumpTo];
      st.insns[0] = { ...st.insns[0], off: target - (starts[i] + 1) };
    }
    insns.push(...st.insns);
  });
  insns.push(...epi, ...out);
  if (hasSub) { // r0 = f(r1..r5) with ALU only; r6-r9 are the caller's
    const subStart = insns.length;
    insns.push(insn(0xbf, 0, 1));
    const m = 1 + r.int(8);
    for (let i = 0; i < m; i++) {
      const op = r.pick([0x00, 0x10, 0x20, 0x40, 0x50, 0xa0, 0x60, 0x70, 0xc0]);
      const dd = r.pick([0, 1, 2, 3, 4, 5]);
      const x = r.chance(0.5);
      let imm = r.imm();
      if (op === 0x60 || op === 0x70 || op === 0xc0) imm &= 63;
      insns.push(insn(0x07 | op | (x ? 0x08 : 0), dd, x ? r.pick([0, 1, 2, 3, 4, 5]) : 0, 0, x ? 0 : imm));
    }
    insns.push(insn(0xaf, 0, r.pick([1, 2, 3, 4, 5])), insn(0x95));
    body.forEach((st, i) => { if (st.callsSub) insns[starts[i]] = { ...insns[starts[i]], imm: subStart - (starts[i] + 1) }; });
  }
  if (direct) {
    const idx = pro.findIndex((x) => x.code === 0x2d);
    insns[idx] = { ...insns[idx], off: outStart - (idx + 1) };
  }
  const dataIn = new Uint8Array(PKT_SIZE + r.int(40));
  for (let i = 0; i < dataIn.length; i++) dataIn[i] = r.int(256);
  if (r.chance(0.5)) { dataIn[12] = 0x08; dataIn[13] = 0x00; dataIn[14] = 0x45; }
  let ctxIn: Uint8Array | undefined;
  if (progType === ProgType.SCHED_CLS && r.chance(0.7)) {
    ctxIn = new Uint8Array(192);
    const v = new DataView(ctxIn.buffer);
    v.setUint32(8, r.u32(), true); // mark
    v.setUint32(32, r.u32(), true); // priority
    for (let i = 0; i < 5; i++) v.setUint32(48 + 4 * i, r.u32(), true); // cb
  }
  return { seed, progType, insns, maps: GEN_MAPS, dataIn, ctxIn };
}

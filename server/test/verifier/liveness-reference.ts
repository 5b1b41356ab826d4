// A straightforward reference for liveness.ts (stack_liveness.test.ts compares the two): the same
// abstract domain and transfer functions written the plain way — a state of every register and all
// 64 slots per instruction, a LIFO worklist over instructions, marks recorded in one pass over the
// fixpoint states, and a round-robin backward pass until nothing changes. Slow, but easy to check
// against the prose in liveness.ts.
import type { Insn } from '../../src/bpf/isa/insn';
import type { LivenessEnv } from '../../src/bpf/verifier/liveness';

const BOT = -0x7fffffff;
const NONFP = 0x40000000;
const ANY = 0x40000001;
const LIM = 1 << 24;
const MAYBE0 = 1 << 26;
const isFp = (v: number): boolean => v !== NONFP && v !== BOT;
const isExact = (v: number): boolean => v > -LIM && v < LIM;
const isMaybe = (v: number): boolean => v > MAYBE0 - LIM && v < MAYBE0 + LIM;
const offOf = (v: number): number => (isMaybe(v) ? v - MAYBE0 : v);
const maybe = (v: number): number => (isExact(v) ? v + MAYBE0 : v === BOT ? NONFP : v);
const join = (a: number, b: number): number => {
  if (a === BOT) return b;
  if (b === BOT || a === b) return a;
  if (a === NONFP) return b === ANY ? ANY : maybe(b);
  if (b === NONFP) return a === ANY ? ANY : maybe(a);
  if ((isExact(a) || isMaybe(a)) && (isExact(b) || isMaybe(b)) && offOf(a) === offOf(b)) return maybe(a);
  return ANY;
};
const fpAdd = (v: number, d: number): number => {
  if (!isExact(v) && !isMaybe(v)) return v;
  const r = offOf(v) + d;
  if (r <= -LIM || r >= LIM) return ANY;
  return isMaybe(v) ? r + MAYBE0 : r;
};
const NREG = 11, NSLOT = 64, W = NREG + NSLOT;
const AUX_UNK = 0x7fffffff, AUX_BOT = -0x7ffffffe;
const auxJoin = (a: number, b: number): number => (a === AUX_BOT ? b : b === AUX_BOT || a === b ? a : AUX_UNK);
const auxConst = (c: number): number => (c >= 0 && c < LIM ? c : AUX_UNK);
const spiOf = (o: number): number => (-o - 1) >> 3;
const sizeOf = (code: number): number => [4, 2, 1, 8][(code & 0x18) >> 3];

function memSize(env: LivenessEnv, id: number, r: number, aux: Int32Array): number {
  const args = env.helperArgs(id);
  const a = args?.[r - 1];
  if (!a || !args) return -1;
  const m = aux[1] < 0 && aux[1] !== AUX_BOT ? env.maps[-aux[1] - 1] : undefined;
  if (a.base === 'ARG_PTR_TO_MAP_KEY') return m && m.keySize > 0 ? m.keySize : -1;
  if (a.base === 'ARG_PTR_TO_MAP_VALUE') return m && m.valueSize > 0 ? m.valueSize : -1;
  if (a.base === 'ARG_PTR_TO_MEM') {
    if (a.size && a.size > 0) return a.size;
    const next = args[r];
    if (next && (next.base === 'ARG_CONST_SIZE' || next.base === 'ARG_CONST_SIZE_OR_ZERO') && r + 1 <= 5) {
      const c = aux[r + 1];
      return c > 0 && c < LIM ? c : -1;
    }
    return -1;
  }
  if (a.base === 'ARG_PTR_TO_DYNPTR') return 16;
  return a.size && a.size > 0 ? a.size : -1;
}

export function referenceStackLiveness(insns: Insn[], env: LivenessEnv): Uint32Array {
  const n = insns.length;
  const read = new Uint32Array(2 * n), write = new Uint32Array(2 * n), live = new Uint32Array(2 * n);
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (const sp of env.subprogs) {
    const base = sp.start, len = sp.end - sp.start;
    if (len <= 0) continue;
    const st = new Int32Array(len * W).fill(BOT), ast = new Int32Array(len * NREG).fill(AUX_BOT);
    for (let k = 0; k < W; k++) st[k] = NONFP;
    st[10] = 0;
    for (let k = 0; k < NREG; k++) ast[k] = AUX_UNK;
    const reached = new Uint8Array(len);
    reached[0] = 1;
    // one instruction from its state; returns its successors; marks when `mark`
    const run = (j: number, cur: Int32Array, aux: Int32Array, mark: boolean): number[] => {
      const i = base + j, x = insns[i], cls = x.code & 7;
      const markRange = (lo: number, hi: number): void => {
        if (mark) for (let s = Math.max(0, lo); s <= Math.min(NSLOT - 1, hi); s++) read[2 * i + (s >> 5)] |= 1 << (s & 31);
      };
      const readAll = (): void => { if (mark) { read[2 * i] = 0xffffffff; read[2 * i + 1] = 0xffffffff; } };
      const store = (addr: number, off: number, size: number, val: number, full: boolean): void => {
        if (addr === NONFP) return;
        if (addr === ANY) { for (let s = 0; s < NSLOT; s++) cur[NREG + s] = join(cur[NREG + s], val); return; }
        const o = offOf(addr) + off, hi = spiOf(o), lo = spiOf(o + size - 1);
        if (full && isExact(addr) && size === 8 && (o & 7) === 0 && hi >= 0 && hi < NSLOT) {
          cur[NREG + hi] = val;
          if (mark) write[2 * i + (hi >> 5)] |= 1 << (hi & 31);
          return;
        }
        for (let s = Math.max(0, lo); s <= Math.min(NSLOT - 1, hi); s++) cur[NREG + s] = join(cur[NREG + s], val);
      };
      const load = (addr: number, off: number, size: number): number => {
        if (addr === NONFP) return NONFP;
        if (addr === ANY) { readAll(); return ANY; }
        const o = offOf(addr) + off, hi = spiOf(o), lo = spiOf(o + size - 1);
        markRange(lo, hi);
        if (size === 8 && (o & 7) === 0 && hi >= 0 && hi < NSLOT) return isExact(addr) ? cur[NREG + hi] : join(cur[NREG + hi], NONFP);
        return NONFP;
      };
      if (cls === 4 || cls === 7) {
        if (x.dst < NREG) aux[x.dst] = (x.code & 0xf0) === 0xb0 && x.off === 0 ? (x.code & 8 ? aux[x.src] ?? AUX_UNK : auxConst(x.imm)) : AUX_UNK;
      } else if (cls === 1) {
        if (x.dst < NREG) aux[x.dst] = AUX_UNK;
      } else if (cls === 0) {
        if (x.code === 0x18) { if (x.dst < NREG) aux[x.dst] = x.src === 1 || x.src === 5 ? -(x.imm + 1) : x.src === 0 && insns[i + 1]?.imm === 0 ? auxConst(x.imm) : AUX_UNK; } else for (let r = 0; r <= 5; r++) aux[r] = AUX_UNK;
      } else if (cls === 3 && (x.code & 0xe0) === 0xc0) {
        if (x.imm === 0xf1) aux[0] = AUX_UNK; else if (x.imm & 1 && x.src < NREG) aux[x.src] = AUX_UNK;
      }
      const isCall = (cls === 5 || cls === 6) && (x.code & 0xf0) === 0x80;
      const callAux = Int32Array.from(aux);
      if (isCall) for (let r = 0; r <= 5; r++) aux[r] = AUX_UNK;
      if (cls === 4 || cls === 7) {
        const op = x.code & 0xf0, sv = x.code & 8 ? cur[x.src] : NONFP, dv = cur[x.dst];
        let r: number;
        if (op === 0xb0) r = cls === 7 && x.off === 0 ? sv : isFp(sv) ? ANY : NONFP;
        else if (cls === 7 && (op === 0x00 || op === 0x10) && !(x.code & 8) && isFp(dv)) r = fpAdd(dv, op === 0x00 ? x.imm : -x.imm);
        else r = isFp(dv) || isFp(sv) ? ANY : NONFP;
        if (x.dst < NREG) cur[x.dst] = r;
        return [i + 1];
      }
      if (cls === 1) {
        const mode = x.code & 0xe0;
        const v = mode === 0x60 || mode === 0x80 ? load(cur[x.src], x.off, sizeOf(x.code)) : NONFP;
        if (x.dst < NREG) cur[x.dst] = mode === 0x60 ? v : isFp(v) ? ANY : NONFP;
        return [i + 1];
      }
      if (cls === 2) { store(cur[x.dst], x.off, sizeOf(x.code), NONFP, true); return [i + 1]; }
      if (cls === 3) {
        const size = sizeOf(x.code);
        if ((x.code & 0xe0) === 0xc0) {
          load(cur[x.dst], x.off, size);
          store(cur[x.dst], x.off, size, join(cur[x.src], NONFP), false);
          if (x.imm === 0xf1) cur[0] = ANY; else if (x.imm & 1 && x.src < NREG) cur[x.src] = ANY;
        } else store(cur[x.dst], x.off, size, cur[x.src], true);
        return [i + 1];
      }
      if (cls === 0) {
        if (x.code === 0x18) { if (x.dst < NREG) cur[x.dst] = NONFP; return [i + 2]; }
        for (let r = 0; r <= 5; r++) cur[r] = NONFP;
        return [i + 1];
      }
      const op = x.code & 0xf0;
      if (op === 0x90) return [];
      if (isCall) {
        let anyFp = false;
        const nargs = x.src === 0 ? env.helperArgs(x.imm)?.length ?? 5 : 5;
        for (let r = 1; r <= 5; r++) {
          const v = cur[r];
          if (!isFp(v) || r > nargs) continue;
          anyFp = true;
          if (x.src === 1 || env.callsCallback[i] || v === ANY) { readAll(); continue; }
          const o = offOf(v), size = x.src === 0 ? memSize(env, x.imm, r, callAux) : -1;
          markRange(size > 0 ? spiOf(o + size - 1) : 0, spiOf(o));
        }
        if (anyFp) for (let s = 0; s < NSLOT; s++) cur[NREG + s] = join(cur[NREG + s], NONFP);
        for (let r = 1; r <= 5; r++) cur[r] = NONFP;
        cur[0] = anyFp && x.src === 1 ? ANY : NONFP;
        return [i + 1];
      }
      if (op === 0x00 || x.code === 0xe5) {
        const t = [i + (cls === 6 && op === 0 ? x.imm : x.off) + 1];
        if (x.code === 0xe5) t.push(i + 1);
        return t;
      }
      return [i + 1, i + x.off + 1];
    };
    const work = [0];
    let guard = 0;
    while (work.length && guard++ < 4_000_000) {
      const j = work.pop()!;
      const cur = st.slice(j * W, j * W + W), aux = ast.slice(j * NREG, j * NREG + NREG);
      for (const t of run(j, cur, aux, false)) {
        const k = t - base;
        if (k < 0 || k >= len) continue;
        let changed = !reached[k];
        reached[k] = 1;
        for (let q = 0; q < W; q++) { const v = join(st[k * W + q], cur[q]); if (v !== st[k * W + q]) { st[k * W + q] = v; changed = true; } }
        for (let q = 0; q < NREG; q++) { const v = auxJoin(ast[k * NREG + q], aux[q]); if (v !== ast[k * NREG + q]) { ast[k * NREG + q] = v; changed = true; } }
        if (changed && !work.includes(k)) work.push(k);
      }
    }
    if (work.length) throw new Error('reference: forward pass did not converge');
    for (let j = 0; j < len; j++) {
      if (!reached[j]) continue;
      const cur = st.slice(j * W, j * W + W), aux = ast.slice(j * NREG, j * NREG + NREG);
      for (const t of run(j, cur, aux, true)) if (t >= sp.start && t < sp.end) succ[base + j].push(t);
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let a = 0, b = 0;
      for (const t of succ[i]) { a |= live[2 * t]; b |= live[2 * t + 1]; }
      a = ((a & ~write[2 * i]) | read[2 * i]) >>> 0;
      b = ((b & ~write[2 * i + 1]) | read[2 * i + 1]) >>> 0;
      if (a !== live[2 * i] || b !== live[2 * i + 1]) { live[2 * i] = a; live[2 * i + 1] = b; changed = true; }
    }
  }
  return live;
}

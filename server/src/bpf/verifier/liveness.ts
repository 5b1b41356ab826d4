// Stack slot liveness: which 8-byte slots of a function's own stack frame may still be read at or
// after each instruction. The 6.18 kernel (kernel/bpf/liveness.c) gathers "may read" and "must
// write" marks per (call chain, instruction) while it verifies, then solves the textbook live
// variable equations; state pruning then ignores dead slots of the explored states (clean_func_state
// turns them into STACK_INVALID, which stacksafe skips).
//
// bpfls computes the same kind of answer statically, before verification, and errs on the live
// side wherever it cannot tell (a slot counted live is only compared, never wrongly skipped):
//  1. a forward pass per subprogram tracks which registers and spilled slots hold a pointer into
//     the function's own frame (r10 plus a known constant, or "some frame pointer");
//  2. each instruction's reads (loads, atomics, helper/kfunc memory arguments, anything passed to a
//     bpf-to-bpf call or a callback: every slot) and full 8-byte writes at a known offset are
//     recorded;
//  3. a backward fixpoint gives live-before per instruction (two 32-bit words: slots 0-31, 32-63).
// A slot of an outer frame counts live when it is live before the call instruction of the next
// frame (which includes what that call may read through pointers passed to it).

import type { Insn } from '../isa/insn';

// Abstract values: BOT (not reached), NONFP (certainly not a pointer into this frame), FP(k) (r10 + k
// exactly), MAYBE(k) (r10 + k or something that is not a pointer into this frame: a slot that held
// FP(k) and that a call may have overwritten with data), ANY (may point anywhere in this frame).
const BOT = -0x7fffffff;
const NONFP = 0x40000000;
const ANY = 0x40000001;
const LIM = 1 << 24;
const MAYBE0 = 1 << 26;

const isFp = (v: number): boolean => v !== NONFP && v !== BOT;
const isExact = (v: number): boolean => v > -LIM && v < LIM;
const isMaybe = (v: number): boolean => v > MAYBE0 - LIM && v < MAYBE0 + LIM;
/** the offset of FP(k) or MAYBE(k) */
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

const NREG = 11;
const NSLOT = 64;
const W = NREG + NSLOT;

export interface StackLiveness {
  /** live-before words per instruction: [2*i] slots 0-31, [2*i+1] slots 32-63 */
  live: Uint32Array;
}

function sizeOfLdSt(code: number): number {
  switch (code & 0x18) {
    case 0x00: return 4;
    case 0x08: return 2;
    case 0x10: return 1;
    default: return 8;
  }
}

/**
 * @param subprogs the subprogram boundaries ([start, end) each)
 * @param callsCallback 1 where a helper call runs a callback synchronously
 */
/** What the analysis needs to size a helper's memory arguments */
export interface LivenessEnv {
  subprogs: { start: number; end: number }[];
  /** 1 where a helper call runs a callback synchronously */
  callsCallback: Uint8Array;
  maps: readonly { keySize: number; valueSize: number }[];
  /** a helper's arguments (base type, flags, MEM_FIXED_SIZE size), undefined when unknown */
  helperArgs: (id: number) => readonly { base: string; flags: readonly string[]; size?: number }[] | undefined;
}

// second lane, registers only: a small constant (0 <= c < 2^24), a map (-(index + 1)), or unknown
const AUX_UNK = 0x7fffffff;
const AUX_BOT = -0x7ffffffe;
const auxJoin = (a: number, b: number): number => (a === AUX_BOT ? b : b === AUX_BOT || a === b ? a : AUX_UNK);
const auxConst = (c: number): number => (c >= 0 && c < LIM ? c : AUX_UNK);

export function computeStackLiveness(insns: Insn[], env: LivenessEnv): StackLiveness {
  const { subprogs, callsCallback } = env;
  const n = insns.length;
  const read = new Uint32Array(2 * n), write = new Uint32Array(2 * n), live = new Uint32Array(2 * n);
  const succ: number[][] = new Array(n);
  for (let i = 0; i < n; i++) succ[i] = [];

  const markRange = (arr: Uint32Array, i: number, lo: number, hi: number): void => {
    // slots lo..hi inclusive
    for (let s = Math.max(0, lo); s <= Math.min(NSLOT - 1, hi); s++) arr[2 * i + (s >> 5)] |= 1 << (s & 31);
  };
  const readAll = (i: number): void => { read[2 * i] = 0xffffffff; read[2 * i + 1] = 0xffffffff; };
  const spiOf = (o: number): number => (-o - 1) >> 3;

  for (const sp of subprogs) {
    const base = sp.start, len = sp.end - sp.start;
    if (len <= 0) continue;
    const st = new Int32Array(len * W).fill(BOT);
    const cur = new Int32Array(W);
    const ast = new Int32Array(len * NREG).fill(AUX_BOT);
    const aux = new Int32Array(NREG);
    for (let k = 0; k < NREG; k++) ast[k] = AUX_UNK;
    // entry: nothing points into the new frame but r10
    for (let k = 0; k < W; k++) st[k] = NONFP;
    st[10] = 0;
    const queued = new Uint8Array(len);
    const work: number[] = [0];
    queued[0] = 1;
    const flow = (to: number): void => {
      const j = to - base;
      if (j < 0 || j >= len) return;
      let changed = false;
      const o = j * W;
      for (let k = 0; k < W; k++) {
        const v = join(st[o + k], cur[k]);
        if (v !== st[o + k]) { st[o + k] = v; changed = true; }
      }
      for (let k = 0; k < NREG; k++) {
        const v = auxJoin(ast[j * NREG + k], aux[k]);
        if (v !== ast[j * NREG + k]) { ast[j * NREG + k] = v; changed = true; }
      }
      if (changed && !queued[j]) { queued[j] = 1; work.push(j); }
    };
    const storeAt = (i: number, addr: number, off: number, size: number, val: number, full: boolean): void => {
      if (addr === NONFP) return;
      if (addr === ANY) {
        for (let s = 0; s < NSLOT; s++) cur[NREG + s] = join(cur[NREG + s], val);
        return;
      }
      const o = offOf(addr) + off;
      const hi = spiOf(o), lo = spiOf(o + size - 1);
      if (full && isExact(addr) && size === 8 && (o & 7) === 0 && hi >= 0 && hi < NSLOT) {
        cur[NREG + hi] = val;
        write[2 * i + (hi >> 5)] |= 1 << (hi & 31);
        return;
      }
      for (let s = Math.max(0, lo); s <= Math.min(NSLOT - 1, hi); s++) cur[NREG + s] = join(cur[NREG + s], val);
    };
    const loadAt = (i: number, addr: number, off: number, size: number): number => {
      if (addr === NONFP) return NONFP;
      if (addr === ANY) { readAll(i); return ANY; }
      const o = offOf(addr) + off;
      const hi = spiOf(o), lo = spiOf(o + size - 1);
      markRange(read, i, lo, hi);
      if (size === 8 && (o & 7) === 0 && hi >= 0 && hi < NSLOT) return isExact(addr) ? cur[NREG + hi] : join(cur[NREG + hi], NONFP);
      return NONFP;
    };
    const clobberStack = (): void => { for (let s = 0; s < NSLOT; s++) cur[NREG + s] = join(cur[NREG + s], NONFP); };

    let guard = 0;
    while (work.length && guard++ < 4_000_000) {
      const j = work.pop()!;
      queued[j] = 0;
      const i = base + j;
      const x = insns[i];
      if (!x) continue;
      for (let k = 0; k < W; k++) cur[k] = st[j * W + k];
      for (let k = 0; k < NREG; k++) aux[k] = ast[j * NREG + k];
      const cls = x.code & 7;
      // the aux lane: what this instruction writes
      if (cls === 4 || cls === 7) {
        if (x.dst < NREG) aux[x.dst] = (x.code & 0xf0) === 0xb0 && x.off === 0 ? (x.code & 8 ? aux[x.src] ?? AUX_UNK : auxConst(x.imm)) : AUX_UNK;
      } else if (cls === 1) {
        if (x.dst < NREG) aux[x.dst] = AUX_UNK;
      } else if (cls === 0) {
        if (x.code === 0x18) { if (x.dst < NREG) aux[x.dst] = x.src === 1 || x.src === 5 ? -(x.imm + 1) : x.src === 0 && insns[i + 1]?.imm === 0 ? auxConst(x.imm) : AUX_UNK; } else for (let r = 0; r <= 5; r++) aux[r] = AUX_UNK;
      } else if (cls === 3 && (x.code & 0xe0) === 0xc0) {
        if (x.imm === 0xf1) aux[0] = AUX_UNK; else if (x.imm & 1 && x.src < NREG) aux[x.src] = AUX_UNK;
      }
      // a call's argument sizes are read before the call clobbers R0-R5
      const callAux = (cls === 5 || cls === 6) && (x.code & 0xf0) === 0x80 ? Array.from(aux) : undefined;
      if (callAux) for (let r = 0; r <= 5; r++) aux[r] = AUX_UNK;
      const nexts: number[] = [];
      switch (cls) {
        case 4: case 7: {
          const op = x.code & 0xf0;
          const sv = x.code & 8 ? cur[x.src] : NONFP;
          const dv = cur[x.dst];
          let r: number;
          if (op === 0xb0) r = cls === 7 && x.off === 0 ? sv : isFp(sv) ? ANY : NONFP;
          else if (cls === 7 && (op === 0x00 || op === 0x10) && !(x.code & 8) && isFp(dv)) r = fpAdd(dv, op === 0x00 ? x.imm : -x.imm);
          else r = isFp(dv) || isFp(sv) ? ANY : NONFP;
          if (x.dst < NREG) cur[x.dst] = r;
          nexts.push(i + 1);
          break;
        }
        case 1: {
          const mode = x.code & 0xe0;
          const v = mode === 0x60 || mode === 0x80 ? loadAt(i, cur[x.src], x.off, sizeOfLdSt(x.code)) : NONFP;
          if (x.dst < NREG) cur[x.dst] = mode === 0x60 ? v : isFp(v) ? ANY : NONFP;
          nexts.push(i + 1);
          break;
        }
        case 2:
          storeAt(i, cur[x.dst], x.off, sizeOfLdSt(x.code), NONFP, true);
          nexts.push(i + 1);
          break;
        case 3: {
          const size = sizeOfLdSt(x.code);
          if ((x.code & 0xe0) === 0xc0) {
            // atomic: reads and writes the location; never a full overwrite
            loadAt(i, cur[x.dst], x.off, size);
            storeAt(i, cur[x.dst], x.off, size, join(cur[x.src], NONFP), false);
            if (x.imm === 0xf1) cur[0] = ANY;
            else if (x.imm & 1 && x.src < NREG) cur[x.src] = ANY;
          } else storeAt(i, cur[x.dst], x.off, size, cur[x.src], true);
          nexts.push(i + 1);
          break;
        }
        case 0:
          if (x.code === 0x18) { if (x.dst < NREG) cur[x.dst] = NONFP; nexts.push(i + 2); } else {
            for (let r = 0; r <= 5; r++) cur[r] = NONFP;
            nexts.push(i + 1);
          }
          break;
        case 5: case 6: {
          const op = x.code & 0xf0;
          if (op === 0x90) break;
          if (op === 0x80) {
            let anyFp = false;
            // a helper reads only its parameters (a stale pointer in R4 is no argument of a 2-argument helper)
            const nargs = x.src === 0 ? env.helperArgs(x.imm)?.length ?? 5 : 5;
            for (let r = 1; r <= 5; r++) {
              const v = cur[r];
              if (!isFp(v) || r > nargs) continue;
              anyFp = true;
              // a bpf-to-bpf call or a callback may walk the pointer anywhere in the frame;
              // a helper or kfunc reads [ptr, ptr + size) only
              if (x.src === 1 || callsCallback[i] || v === ANY) { readAll(i); continue; }
              const o = offOf(v);
              const size = x.src === 0 ? helperMemSize(env, x.imm, r, callAux!) : -1;
              markRange(read, i, size > 0 ? spiOf(o + size - 1) : 0, spiOf(o));
            }
            if (anyFp) clobberStack();
            for (let r = 1; r <= 5; r++) cur[r] = NONFP;
            // helpers and kfuncs never return a pointer to the stack (a buffer they hand back is
            // PTR_TO_MEM, whose accesses never consult stack slot states); a subprogram may
            cur[0] = anyFp && x.src === 1 ? ANY : NONFP;
            nexts.push(i + 1);
            break;
          }
          if (op === 0x00 || x.code === 0xe5) {
            nexts.push(i + (cls === 6 && op === 0 ? x.imm : x.off) + 1);
            if (x.code === 0xe5) nexts.push(i + 1);
            break;
          }
          nexts.push(i + 1, i + x.off + 1);
          break;
        }
      }
      for (const t of nexts) {
        if (t >= sp.start && t < sp.end) { succ[i].push(t); flow(t); }
      }
    }
    if (work.length) {
      // not converged (cannot happen with this lattice; bounded anyway): everything live
      for (let i = sp.start; i < sp.end; i++) readAll(i);
    }
  }

  // backward: live_before = (U live_before[succ] & ~must_write) | may_read
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 10_000) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let a = 0, b = 0;
      for (const t of succ[i]) { a |= live[2 * t]; b |= live[2 * t + 1]; }
      a = ((a & ~write[2 * i]) | read[2 * i]) >>> 0;
      b = ((b & ~write[2 * i + 1]) | read[2 * i + 1]) >>> 0;
      if (a !== live[2 * i] || b !== live[2 * i + 1]) { live[2 * i] = a; live[2 * i + 1] = b; changed = true; }
    }
  }
  if (changed) live.fill(0xffffffff);
  return { live };
}

/**
 * How many bytes a helper reads through its stack pointer argument `r`: -1 unknown (then every slot
 * from the pointer up to the frame top counts read). Memory a helper only writes (MEM_UNINIT) counts
 * read too: the kernel inspects those slots (no dynptr may be overwritten).
 */
function helperMemSize(env: LivenessEnv, id: number, r: number, aux: number[]): number {
  const args = env.helperArgs(id);
  const a = args?.[r - 1];
  if (!a) return -1;
  const mapOf = (): { keySize: number; valueSize: number } | undefined => {
    const m = aux[1];
    return m < 0 && m !== AUX_BOT ? env.maps[-m - 1] : undefined;
  };
  switch (a.base) {
    case 'ARG_PTR_TO_MAP_KEY': { const m = mapOf(); return m && m.keySize > 0 ? m.keySize : -1; }
    case 'ARG_PTR_TO_MAP_VALUE': { const m = mapOf(); return m && m.valueSize > 0 ? m.valueSize : -1; }
    case 'ARG_PTR_TO_MEM': {
      if (a.size && a.size > 0) return a.size;
      const next = args[r];
      if (next && (next.base === 'ARG_CONST_SIZE' || next.base === 'ARG_CONST_SIZE_OR_ZERO') && r + 1 <= 5) {
        const c = aux[r + 1];
        return c > 0 && c < LIM ? c : -1;
      }
      return -1;
    }
    case 'ARG_PTR_TO_DYNPTR':
      return 16;
    default:
      return a.size && a.size > 0 ? a.size : -1;
  }
}

/** Is slot `spi` possibly read at or after instruction `idx` (in that instruction's frame)? */
export function slotLive(l: StackLiveness, idx: number, spi: number): boolean {
  if (spi >= NSLOT || idx < 0 || 2 * idx >= l.live.length) return true;
  return (l.live[2 * idx + (spi >> 5)] >>> (spi & 31) & 1) === 1;
}

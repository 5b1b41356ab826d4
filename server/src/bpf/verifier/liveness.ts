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
//     recorded from the final (fixpoint) state of the instruction;
//  3. a backward fixpoint gives live-before per instruction (two 32-bit words: slots 0-31, 32-63).
// A slot of an outer frame counts live when it is live before the call instruction of the next
// frame (which includes what that call may read through pointers passed to it).
//
// Cost: the forward pass keeps states per basic block only (ascending-order worklist), and of the
// 64 slots only those some store may give a frame pointer are tracked (the others provably stay
// "not a frame pointer"); a store of a possible frame pointer into an untracked slot widens the
// tracked set and the pass runs again. The backward pass is a block worklist too.

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

/** What the analysis needs to size a helper's memory arguments */
export interface LivenessEnv {
  /** the subprogram boundaries ([start, end) each) */
  subprogs: { start: number; end: number }[];
  /** 1 where a helper call runs a callback synchronously */
  callsCallback: Uint8Array;
  maps: readonly { keySize: number; valueSize: number }[];
  /** a helper's arguments (base type, flags, MEM_FIXED_SIZE size), undefined when unknown */
  helperArgs: (id: number) => readonly HelperArg[] | undefined;
}
type HelperArg = { base: string; flags: readonly string[]; size?: number };

// second lane, registers only: a small constant (0 <= c < 2^24), a map (-(index + 1)), or unknown
const AUX_UNK = 0x7fffffff;
const AUX_BOT = -0x7ffffffe;
const auxJoin = (a: number, b: number): number => (a === AUX_BOT ? b : b === AUX_BOT || a === b ? a : AUX_UNK);
const auxConst = (c: number): number => (c >= 0 && c < LIM ? c : AUX_UNK);
const spiOf = (o: number): number => (-o - 1) >> 3;

/** Fall-through successor of an instruction (LD_IMM64 takes two slots) */
const fallThrough = (x: Insn, i: number): number => (x.code === 0x18 ? i + 2 : i + 1);

/**
 * Successors of instruction i (before clipping to its subprogram) into out[0..]; returns how many.
 * A call returns to the next instruction; exit has none.
 */
function successors(x: Insn, i: number, out: Int32Array): number {
  const cls = x.code & 7;
  if (cls === 5 || cls === 6) {
    const op = x.code & 0xf0;
    if (op === 0x90) return 0;
    if (op === 0x80) { out[0] = i + 1; return 1; }
    if (op === 0x00 || x.code === 0xe5) {
      out[0] = i + (cls === 6 && op === 0 ? x.imm : x.off) + 1;
      if (x.code === 0xe5) { out[1] = i + 1; return 2; }
      return 1;
    }
    out[0] = i + 1;
    out[1] = i + x.off + 1;
    return 2;
  }
  out[0] = fallThrough(x, i);
  return 1;
}

class Analysis {
  // per call of the transfer function
  readonly cur = new Int32Array(W);
  readonly aux = new Int32Array(NREG);
  readonly callAux = new Int32Array(NREG);
  /** marks are recorded only in the final pass, from fixpoint states */
  marking = false;
  // tracked slots: tpos[s] = index among the tracked ones or -1; need[s]: a possible frame
  // pointer was stored into untracked slot s (the pass must run again with s tracked)
  readonly tpos = new Int32Array(NSLOT);
  readonly tlist = new Int32Array(NSLOT);
  nt = 0;
  readonly need = new Uint8Array(NSLOT);
  needed = false;
  // block graph of the current subprogram (indices into the b* arrays are block ids, ascending
  // by start instruction; successors and predecessors as CSR lists)
  readonly sb = new Int32Array(2);
  private readonly argCache = new Map<number, readonly HelperArg[] | undefined>();

  insns: Insn[] = [];
  env!: LivenessEnv;
  n = 0;
  read = new Uint32Array(0);
  write = new Uint32Array(0);
  live = new Uint32Array(0);
  bStart = new Int32Array(0);
  bEnd = new Int32Array(0);
  bSuccOff = new Int32Array(0);
  bSucc = new Int32Array(0);
  bPredOff = new Int32Array(0);
  bPred = new Int32Array(0);
  blockOf = new Int32Array(0);
  leader = new Uint8Array(0);
  npred = new Uint8Array(0);
  reach = new Uint8Array(0);
  /** the previous instruction of a block's fall-through chain */
  prev = new Int32Array(0);
  bst = new Int32Array(0);
  bax = new Int32Array(0);
  pending = new Uint8Array(0);

  /** Prepares the scratch arrays (kept between calls: the analysis runs once per verification) */
  reset(insns: Insn[], env: LivenessEnv): void {
    this.insns = insns;
    this.env = env;
    this.argCache.clear();
    const n = (this.n = insns.length);
    this.live = new Uint32Array(2 * n);
    if (this.bStart.length < n + 1) {
      const m = Math.max(n + 1, 2 * this.bStart.length);
      this.read = new Uint32Array(2 * m);
      this.write = new Uint32Array(2 * m);
      this.bStart = new Int32Array(m);
      this.bEnd = new Int32Array(m);
      this.bSuccOff = new Int32Array(m + 1);
      this.bSucc = new Int32Array(2 * m);
      this.bPredOff = new Int32Array(m + 1);
      this.bPred = new Int32Array(2 * m);
      this.blockOf = new Int32Array(m);
      this.leader = new Uint8Array(m);
      this.npred = new Uint8Array(m);
      this.reach = new Uint8Array(m);
      this.prev = new Int32Array(m);
      this.pending = new Uint8Array(m);
    } else {
      this.read.fill(0, 0, 2 * n);
      this.write.fill(0, 0, 2 * n);
      this.leader.fill(0, 0, n);
      this.npred.fill(0, 0, n);
      this.reach.fill(0, 0, n);
    }
  }

  helperArgs(id: number): readonly HelperArg[] | undefined {
    let a = this.argCache.get(id);
    if (a === undefined && !this.argCache.has(id)) { a = this.env.helperArgs(id); this.argCache.set(id, a); }
    return a;
  }

  // ---- marks ----
  markRange(i: number, lo: number, hi: number): void {
    // slots lo..hi inclusive
    if (!this.marking) return;
    const read = this.read;
    for (let s = Math.max(0, lo), e = Math.min(NSLOT - 1, hi); s <= e; s++) read[2 * i + (s >> 5)] |= 1 << (s & 31);
  }
  readAll(i: number): void {
    if (!this.marking) return;
    this.read[2 * i] = 0xffffffff;
    this.read[2 * i + 1] = 0xffffffff;
  }

  // ---- slot updates (untracked slots are NONFP and must stay so) ----
  private joinSlot(s: number, val: number): void {
    if (this.tpos[s] < 0) {
      if (isFp(val)) { this.need[s] = 1; this.needed = true; }
      return;
    }
    this.cur[NREG + s] = join(this.cur[NREG + s], val);
  }
  private joinAllSlots(val: number): void {
    const cur = this.cur, tlist = this.tlist;
    for (let k = 0; k < this.nt; k++) { const s = tlist[k]; cur[NREG + s] = join(cur[NREG + s], val); }
    if (isFp(val) && this.nt < NSLOT) {
      for (let s = 0; s < NSLOT; s++) if (this.tpos[s] < 0) this.need[s] = 1;
      this.needed = true;
    }
  }
  private storeAt(i: number, addr: number, off: number, size: number, val: number, full: boolean): void {
    if (addr === NONFP) return;
    if (addr === ANY) { this.joinAllSlots(val); return; }
    const o = offOf(addr) + off;
    const hi = spiOf(o), lo = spiOf(o + size - 1);
    if (full && isExact(addr) && size === 8 && (o & 7) === 0 && hi >= 0 && hi < NSLOT) {
      if (this.tpos[hi] >= 0) this.cur[NREG + hi] = val;
      else if (isFp(val)) { this.need[hi] = 1; this.needed = true; }
      if (this.marking) this.write[2 * i + (hi >> 5)] |= 1 << (hi & 31);
      return;
    }
    for (let s = Math.max(0, lo), e = Math.min(NSLOT - 1, hi); s <= e; s++) this.joinSlot(s, val);
  }
  private loadAt(i: number, addr: number, off: number, size: number): number {
    if (addr === NONFP) return NONFP;
    if (addr === ANY) { this.readAll(i); return ANY; }
    const o = offOf(addr) + off;
    const hi = spiOf(o), lo = spiOf(o + size - 1);
    this.markRange(i, lo, hi);
    if (size === 8 && (o & 7) === 0 && hi >= 0 && hi < NSLOT) {
      const v = this.cur[NREG + hi];
      return isExact(addr) ? v : join(v, NONFP);
    }
    return NONFP;
  }
  private clobberStack(): void {
    const cur = this.cur, tlist = this.tlist;
    for (let k = 0; k < this.nt; k++) { const s = tlist[k]; cur[NREG + s] = join(cur[NREG + s], NONFP); }
  }

  /** The transfer function of instruction i on (cur, aux); records marks when marking */
  step(i: number): void {
    const x = this.insns[i];
    const cur = this.cur, aux = this.aux;
    const cls = x.code & 7;
    // the aux lane: what this instruction writes
    if (cls === 4 || cls === 7) {
      if (x.dst < NREG) aux[x.dst] = (x.code & 0xf0) === 0xb0 && x.off === 0 ? (x.code & 8 ? (x.src < NREG ? aux[x.src] : AUX_UNK) : auxConst(x.imm)) : AUX_UNK;
    } else if (cls === 1) {
      if (x.dst < NREG) aux[x.dst] = AUX_UNK;
    } else if (cls === 0) {
      if (x.code === 0x18) { if (x.dst < NREG) aux[x.dst] = x.src === 1 || x.src === 5 ? -(x.imm + 1) : x.src === 0 && this.insns[i + 1]?.imm === 0 ? auxConst(x.imm) : AUX_UNK; } else for (let r = 0; r <= 5; r++) aux[r] = AUX_UNK;
    } else if (cls === 3 && (x.code & 0xe0) === 0xc0) {
      if (x.imm === 0xf1) aux[0] = AUX_UNK; else if (x.imm & 1 && x.src < NREG) aux[x.src] = AUX_UNK;
    }
    // a call's argument sizes are read before the call clobbers R0-R5
    const isCall = (cls === 5 || cls === 6) && (x.code & 0xf0) === 0x80;
    if (isCall) {
      this.callAux.set(aux);
      for (let r = 0; r <= 5; r++) aux[r] = AUX_UNK;
    }
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
        break;
      }
      case 1: {
        const mode = x.code & 0xe0;
        const v = mode === 0x60 || mode === 0x80 ? this.loadAt(i, cur[x.src], x.off, sizeOfLdSt(x.code)) : NONFP;
        if (x.dst < NREG) cur[x.dst] = mode === 0x60 ? v : isFp(v) ? ANY : NONFP;
        break;
      }
      case 2:
        this.storeAt(i, cur[x.dst], x.off, sizeOfLdSt(x.code), NONFP, true);
        break;
      case 3: {
        const size = sizeOfLdSt(x.code);
        if ((x.code & 0xe0) === 0xc0) {
          // atomic: reads and writes the location; never a full overwrite
          this.loadAt(i, cur[x.dst], x.off, size);
          this.storeAt(i, cur[x.dst], x.off, size, join(cur[x.src], NONFP), false);
          if (x.imm === 0xf1) cur[0] = ANY;
          else if (x.imm & 1 && x.src < NREG) cur[x.src] = ANY;
        } else this.storeAt(i, cur[x.dst], x.off, size, cur[x.src], true);
        break;
      }
      case 0:
        if (x.code === 0x18) { if (x.dst < NREG) cur[x.dst] = NONFP; } else {
          for (let r = 0; r <= 5; r++) cur[r] = NONFP;
        }
        break;
      case 5: case 6: {
        if (!isCall) break;
        let anyFp = false;
        // a helper reads only its parameters (a stale pointer in R4 is no argument of a 2-argument helper)
        const nargs = x.src === 0 ? this.helperArgs(x.imm)?.length ?? 5 : 5;
        for (let r = 1; r <= 5; r++) {
          const v = cur[r];
          if (!isFp(v) || r > nargs) continue;
          anyFp = true;
          if (!this.marking) continue;
          // a bpf-to-bpf call or a callback may walk the pointer anywhere in the frame;
          // a helper or kfunc reads [ptr, ptr + size) only
          if (x.src === 1 || this.env.callsCallback[i] || v === ANY) { this.readAll(i); continue; }
          const o = offOf(v);
          const size = x.src === 0 ? this.helperMemSize(x.imm, r) : -1;
          this.markRange(i, size > 0 ? spiOf(o + size - 1) : 0, spiOf(o));
        }
        if (anyFp) this.clobberStack();
        for (let r = 1; r <= 5; r++) cur[r] = NONFP;
        // helpers and kfuncs never return a pointer to the stack (a buffer they hand back is
        // PTR_TO_MEM, whose accesses never consult stack slot states); a subprogram may
        cur[0] = anyFp && x.src === 1 ? ANY : NONFP;
        break;
      }
    }
  }

  /**
   * How many bytes a helper reads through its stack pointer argument `r`: -1 unknown (then every slot
   * from the pointer up to the frame top counts read). Memory a helper only writes (MEM_UNINIT) counts
   * read too: the kernel inspects those slots (no dynptr may be overwritten).
   */
  helperMemSize(id: number, r: number): number {
    const args = this.helperArgs(id);
    const a = args?.[r - 1];
    if (!a || !args) return -1;
    const aux = this.callAux;
    const mapOf = (): { keySize: number; valueSize: number } | undefined => {
      const m = aux[1];
      return m < 0 && m !== AUX_BOT ? this.env.maps[-m - 1] : undefined;
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

  /**
   * The blocks of subprogram [s, e) reachable from s; returns how many. Block ids ascend with the
   * start instruction; successor and predecessor lists are CSR arrays.
   */
  buildBlocks(s: number, e: number): number {
    const { insns, sb, leader, npred, reach, blockOf } = this;
    // reachability, predecessor counts and leaders
    const stack: number[] = [s];
    reach[s] = 1;
    leader[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = insns[i];
      const k = successors(x, i, sb);
      const ft = fallThrough(x, i);
      for (let q = 0; q < k; q++) {
        const t = sb[q];
        if (t < s || t >= e) continue;
        if (npred[t] < 2) npred[t]++;
        if (k !== 1 || t !== ft) leader[t] = 1;
        if (!reach[t]) { reach[t] = 1; stack.push(t); }
      }
    }
    let nb = 0;
    for (let i = s; i < e; i++) {
      if (!reach[i]) continue;
      if (npred[i] >= 2) leader[i] = 1;
      if (leader[i]) { blockOf[i] = nb; this.bStart[nb++] = i; }
    }
    // extents and successors
    let ns = 0;
    for (let b = 0; b < nb; b++) {
      let i = this.bStart[b];
      for (;;) {
        const x = insns[i];
        const k = successors(x, i, sb);
        const t = sb[0];
        if (k === 1 && t === fallThrough(x, i) && t >= s && t < e && !leader[t]) { this.prev[t] = i; i = t; continue; }
        break;
      }
      this.bEnd[b] = i;
      this.bSuccOff[b] = ns;
      const k = successors(insns[i], i, sb);
      for (let q = 0; q < k; q++) { const t = sb[q]; if (t >= s && t < e) this.bSucc[ns++] = blockOf[t]; }
    }
    this.bSuccOff[nb] = ns;
    // predecessors (counting sort)
    const po = this.bPredOff;
    po.fill(0, 0, nb + 1);
    for (let q = 0; q < ns; q++) po[this.bSucc[q] + 1]++;
    for (let b = 0; b < nb; b++) po[b + 1] += po[b];
    if (ns > this.bPred.length) this.bPred = new Int32Array(ns);
    const fillAt = this.scratch(nb);
    for (let b = 0; b < nb; b++) {
      for (let q = this.bSuccOff[b]; q < this.bSuccOff[b + 1]; q++) { const t = this.bSucc[q]; this.bPred[po[t] + fillAt[t]++] = b; }
    }
    return nb;
  }
  private fillBuf = new Int32Array(0);
  private scratch(nb: number): Int32Array {
    if (this.fillBuf.length < nb) this.fillBuf = new Int32Array(Math.max(nb, 2 * this.fillBuf.length));
    this.fillBuf.fill(0, 0, nb);
    return this.fillBuf;
  }

  /** Forward fixpoint over the blocks with the current tracked slots; false when not converged */
  forward(nb: number, bst: Int32Array, bax: Int32Array, wd: number): boolean {
    const { cur, aux, tlist, tpos } = this;
    const nt = this.nt;
    bst.fill(BOT, 0, nb * wd);
    bax.fill(AUX_BOT, 0, nb * NREG);
    // entry: nothing points into the new frame but r10
    for (let k = 0; k < wd; k++) bst[k] = NONFP;
    bst[10] = 0;
    for (let k = 0; k < NREG; k++) bax[k] = AUX_UNK;
    for (let s = 0; s < NSLOT; s++) if (tpos[s] < 0) cur[NREG + s] = NONFP;
    const pending = this.pending;
    pending.fill(0, 0, nb);
    pending[0] = 1;
    let b = 0;
    let guard = 0;
    const limit = 4 * nb * (wd + NREG) + 1024;
    while (b < nb) {
      if (!pending[b]) { b++; continue; }
      if (guard++ > limit) return false;
      pending[b] = 0;
      // load the block's entry state
      let o = b * wd;
      for (let k = 0; k < NREG; k++) cur[k] = bst[o + k];
      for (let k = 0; k < nt; k++) cur[NREG + tlist[k]] = bst[o + NREG + k];
      aux.set(bax.subarray(b * NREG, b * NREG + NREG));
      for (let i = this.bStart[b], end = this.bEnd[b]; ; ) {
        this.step(i);
        if (i === end) break;
        i = fallThrough(this.insns[i], i);
      }
      // flow into the successors
      let next = b + 1;
      for (let q = this.bSuccOff[b]; q < this.bSuccOff[b + 1]; q++) {
        const t = this.bSucc[q];
        o = t * wd;
        let changed = false;
        for (let k = 0; k < NREG; k++) {
          const v = join(bst[o + k], cur[k]);
          if (v !== bst[o + k]) { bst[o + k] = v; changed = true; }
        }
        for (let k = 0; k < nt; k++) {
          const v = join(bst[o + NREG + k], cur[NREG + tlist[k]]);
          if (v !== bst[o + NREG + k]) { bst[o + NREG + k] = v; changed = true; }
        }
        const oa = t * NREG;
        for (let k = 0; k < NREG; k++) {
          const v = auxJoin(bax[oa + k], aux[k]);
          if (v !== bax[oa + k]) { bax[oa + k] = v; changed = true; }
        }
        if (changed) { pending[t] = 1; if (t < next) next = t; }
      }
      b = next;
    }
    return true;
  }

  /** Marks of each reached instruction of the blocks from their fixpoint entry states */
  markBlocks(nb: number, bst: Int32Array, bax: Int32Array, wd: number): void {
    const { cur, aux, tlist } = this;
    this.marking = true;
    for (let b = 0; b < nb; b++) {
      const o = b * wd;
      if (bst[o + 10] === BOT) continue; // never reached
      for (let k = 0; k < NREG; k++) cur[k] = bst[o + k];
      for (let k = 0; k < this.nt; k++) cur[NREG + tlist[k]] = bst[o + NREG + k];
      aux.set(bax.subarray(b * NREG, b * NREG + NREG));
      for (let i = this.bStart[b], end = this.bEnd[b]; ; ) {
        this.step(i);
        if (i === end) break;
        i = fallThrough(this.insns[i], i);
      }
    }
    this.marking = false;
  }

  /** live_before = (U live_before[succ] & ~must_write) | may_read, a block worklist from the end */
  backward(nb: number): void {
    const { live, read, write, prev } = this;
    const pending = this.pending;
    pending.fill(1, 0, nb);
    let b = nb - 1;
    let guard = 0;
    const limit = 130 * nb + 1024;
    while (b >= 0) {
      if (!pending[b]) { b--; continue; }
      if (guard++ > limit) { for (let q = 0; q < nb; q++) this.allLive(q); return; }
      pending[b] = 0;
      let a = 0, c = 0;
      for (let q = this.bSuccOff[b]; q < this.bSuccOff[b + 1]; q++) {
        const t = this.bStart[this.bSucc[q]];
        a |= live[2 * t]; c |= live[2 * t + 1];
      }
      // the block's instructions, last to first (fall-through chain)
      const start = this.bStart[b];
      let i = this.bEnd[b];
      for (;;) {
        a = (a & ~write[2 * i]) | read[2 * i];
        c = (c & ~write[2 * i + 1]) | read[2 * i + 1];
        if (i === start) break;
        live[2 * i] = a; live[2 * i + 1] = c;
        i = prev[i];
      }
      if ((a >>> 0) === live[2 * start] && (c >>> 0) === live[2 * start + 1]) { b--; continue; }
      live[2 * start] = a; live[2 * start + 1] = c;
      let next = b - 1;
      for (let q = this.bPredOff[b]; q < this.bPredOff[b + 1]; q++) {
        const p = this.bPred[q];
        pending[p] = 1;
        if (p > next) next = p;
      }
      b = next;
    }
  }
  private allLive(b: number): void {
    for (let i = this.bStart[b]; i <= this.bEnd[b]; i++) { this.live[2 * i] = 0xffffffff; this.live[2 * i + 1] = 0xffffffff; }
  }

  /** Resets the per-subprogram instruction flags of [s, e) */
  clearFlags(s: number, e: number): void {
    this.leader.fill(0, s, e);
    this.npred.fill(0, s, e);
    this.reach.fill(0, s, e);
  }
}

const shared = new Analysis();

export function computeStackLiveness(insns: Insn[], env: LivenessEnv): StackLiveness {
  const A = shared;
  A.reset(insns, env);
  for (const sp of env.subprogs) {
    const s = Math.max(0, sp.start), e = Math.min(A.n, sp.end);
    if (e <= s) continue;
    const nb = A.buildBlocks(s, e);
    // track no slot at first; widen to the slots that receive a possible frame pointer
    A.tpos.fill(-1);
    A.nt = 0;
    if (A.bax.length < nb * NREG) A.bax = new Int32Array(Math.max(nb * NREG, 2 * A.bax.length));
    let ok = false;
    for (let round = 0; round <= NSLOT; round++) {
      const wd = NREG + A.nt;
      if (A.bst.length < nb * wd) A.bst = new Int32Array(Math.max(nb * wd, 2 * A.bst.length));
      A.need.fill(0);
      A.needed = false;
      ok = A.forward(nb, A.bst, A.bax, wd);
      if (!ok) break;
      if (!A.needed) { A.markBlocks(nb, A.bst, A.bax, wd); break; }
      for (let k = 0; k < NSLOT; k++) if (A.need[k] && A.tpos[k] < 0) { A.tpos[k] = A.nt; A.tlist[A.nt++] = k; }
    }
    if (ok) A.backward(nb);
    else A.live.fill(0xffffffff, 2 * s, 2 * e); // not converged (cannot happen with this lattice; bounded anyway): everything live
    A.clearFlags(s, e);
  }
  const live = A.live;
  A.insns = [];
  return { live };
}

/** Is slot `spi` possibly read at or after instruction `idx` (in that instruction's frame)? */
export function slotLive(l: StackLiveness, idx: number, spi: number): boolean {
  if (spi >= NSLOT || idx < 0 || 2 * idx >= l.live.length) return true;
  return (l.live[2 * idx + (spi >> 5)] >>> (spi & 31) & 1) === 1;
}

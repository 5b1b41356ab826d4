// Stack slot liveness: which 8-byte slots of a function's own stack frame may still be read at or
// after each instruction. The 6.18 kernel (kernel/bpf/liveness.c) gathers "may read" and "must
// write" marks per (call chain, instruction) while it verifies, then solves the textbook live
// variable equations; state pruning then ignores dead slots of the explored states (clean_func_state
// turns them into STACK_INVALID, which stacksafe skips).
//
// bpfls computes the same kind of answer statically, before verification, and errs on the live
// side wherever it cannot tell (a slot counted live is only compared, never wrongly skipped):
//  1. a forward pass per subprogram tracks which registers and spilled slots hold a stack pointer:
//     into the function's own frame (r10 plus a known constant, or "somewhere in the frame"), or
//     derived from its pointer arguments (r1-r5 plus a constant, or a pointer loaded from
//     argument memory: the caller may keep pointers to its own stack there);
//  2. each instruction's reads (loads, atomics, helper/kfunc memory arguments, and what a
//     bpf-to-bpf call or a callback reads through the pointers it is handed) and full 8-byte writes
//     at a known offset are recorded from the final (fixpoint) state of the instruction;
//  3. a backward fixpoint gives live-before per instruction (two 32-bit words: slots 0-31, 32-63).
// A slot of an outer frame counts live when it is live before the call instruction of the next
// frame, which includes everything that call may read through pointers passed to it.
//
// Interprocedural: subprograms are analysed callees first. Each gets a summary of the bytes it may
// read relative to each pointer argument (directly, through helpers, or through its own callees
// and callbacks, whatever offsets it adds, spills and reloads), and relative to pointers it loads
// from argument memory at a known offset (`pkt->id->...` where the caller stored `&id` in `pkt`).
// At a call, the caller maps the summary onto its own frame (a pointer into its frame), onto its
// own summary (a pointer it received), or onto the pointer spilled in the slot the callee loads
// from. What cannot be told errs live: an unknown offset reads the whole region, a pointer loaded
// through a loaded pointer (or of unknown origin) reads everything reachable (the caller's whole
// frame and, transitively, its callers'), global functions and calls inside a call cycle read all
// the frame as before. This relies on rules the kernel enforces: a stack pointer is never stored
// into a caller's frame nor returned, so the pointers in a frame are the ones its own code stored.
//
// Cost: the forward pass keeps states per basic block only (ascending-order worklist), and of the
// 64 slots only those some store may give a stack pointer are tracked (the others provably stay
// "not a stack pointer"); a store of a possible pointer into an untracked slot widens the tracked
// set and the pass runs again. The backward pass is a block worklist too.

import type { Insn } from '../isa/insn';

// Abstract values. BOT: not reached. NONFP: certainly not a stack pointer. TOP: maybe any stack
// pointer (this frame's or the callers'). ANC: maybe any pointer into the callers' stacks (never
// this frame). Otherwise a pointer into region g (0: this frame; 1-5: the memory argument r1-r5
// pointed to on entry; 6-10: memory a pointer loaded from argument g-5 at an unknown offset points
// to; 11+: memory the pointer loaded from (argument r, offset d) points to) at an offset within
// [lo, lo + w], "or not a stack pointer at all" when flagged MAYBE; w = WANY: anywhere in g.
// Only an unflagged pointer of width 0 into this frame writes a slot for sure.
// Encoding (below 2^30): region << 24 | MAYBE (bit 23) | (lo + LO_BIAS) << 10 | w.
const BOT = -0x7fffffff;
const NONFP = 0x40000000;
const TOP = 0x40000001;
const ANC = 0x40000002;
const NREGION = 64;
const MAYBE = 1 << 23;
const LO_BIAS = 4096; // -4096 <= lo, lo + w < 4096
const WANY = 1023;
const FIRST_LOADED = 11;

const isPtr = (v: number): boolean => v !== NONFP && v !== BOT;
/** a pointer of a known region */
const isRegion = (v: number): boolean => v >= 0 && v < NONFP;
const regionOf = (v: number): number => v >>> 24;
const widthOf = (v: number): number => v & WANY;
const loOf = (v: number): number => ((v >>> 10) & 8191) - LO_BIAS;
const rangeKnown = (v: number): boolean => (v & WANY) !== WANY;
const isExact = (v: number): boolean => v >= 0 && v < NONFP && (v & (MAYBE | WANY)) === 0;
const anywhere = (g: number): number => (g << 24) | MAYBE | WANY;
const mk = (g: number, lo: number, w: number, maybe: boolean): number =>
  (lo < -LO_BIAS || lo + w >= LO_BIAS || w >= WANY ? anywhere(g) : (g << 24) | (maybe ? MAYBE : 0) | ((lo + LO_BIAS) << 10) | w);
const FP0 = mk(0, 0, 0, false);
const maybe = (v: number): number => (isRegion(v) ? v | MAYBE : v === BOT ? NONFP : v);
/** a value derived from v by something else than adding a constant */
const derived = (v: number): number => (isRegion(v) ? anywhere(regionOf(v)) : v === BOT ? NONFP : v);
/** this frame, or a caller's */
const isOwn = (v: number): boolean => v === TOP || (isRegion(v) && regionOf(v) === 0);
const join = (a: number, b: number): number => {
  if (a === BOT) return b;
  if (b === BOT || a === b) return a;
  if (a === NONFP) return maybe(b);
  if (b === NONFP) return maybe(a);
  if (a === TOP || b === TOP) return TOP;
  if (a === ANC || b === ANC) return isOwn(a) || isOwn(b) ? TOP : ANC;
  const g = regionOf(a);
  if (g !== regionOf(b)) return g === 0 || regionOf(b) === 0 ? TOP : ANC;
  const m = ((a | b) & MAYBE) !== 0;
  if (!rangeKnown(a) || !rangeKnown(b)) return anywhere(g);
  const lo = Math.min(loOf(a), loOf(b)), hi = Math.max(loOf(a) + widthOf(a), loOf(b) + widthOf(b));
  return mk(g, lo, hi - lo, m);
};
const fpAdd = (v: number, d: number): number => {
  if (!isRegion(v) || !rangeKnown(v)) return v;
  if (d < -2 * LO_BIAS || d > 2 * LO_BIAS) return anywhere(regionOf(v));
  return mk(regionOf(v), loOf(v) + d, widthOf(v), (v & MAYBE) !== 0);
};

const NREG = 11;
const NSLOT = 64;
const W = NREG + NSLOT;
/** interval bounds at or beyond these are infinite */
const INF = 1 << 29;
const clampInf = (x: number): number => (x >= INF ? INF : x <= -INF ? -INF : x);

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
  /**
   * Global functions (verified on their own: the caller's memory is checked at the call against
   * the prototype, so a call reads what the analysis cannot see); undefined: none
   */
  isGlobal?: (subprog: number) => boolean;
}
type HelperArg = { base: string; flags: readonly string[]; size?: number };

/**
 * Helpers running a callback synchronously: [callback register, context register, the callback's
 * parameter receiving the context] (bpf_for_each_map_elem, bpf_find_vma, bpf_loop,
 * bpf_user_ringbuf_drain)
 */
const CALLBACK_ARGS: Record<number, readonly [number, number, number]> = {
  164: [2, 3, 4], 180: [3, 4, 3], 181: [2, 3, 2], 209: [2, 3, 2],
};

// second lane, registers only: a small constant (0 <= c < 2^24), a map (-(index + 1)), a function
// (AUX_FUNC + its instruction), or unknown
const AUX_UNK = 0x7fffffff;
const AUX_BOT = -0x7ffffffe;
const AUX_LIM = 1 << 24;
const AUX_FUNC = 1 << 25;
const auxJoin = (a: number, b: number): number => (a === AUX_BOT ? b : b === AUX_BOT || a === b ? a : AUX_UNK);
const auxConst = (c: number): number => (c >= 0 && c < AUX_LIM ? c : AUX_UNK);
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

/**
 * What a subprogram may read of its callers' stacks: byte intervals (flat [lo, hi, ...], sorted,
 * disjoint; +-INF open-ended) relative to each region's pointer, by region id (1-5: argument
 * registers; 6-10: through a pointer loaded from argument r = id - 5 at an unknown offset; 11+:
 * through the pointer loaded from (loadedR, loadedD)).
 */
export interface ReadSummary {
  /** unknown: every stack pointer handed over reads everything it reaches */
  top: boolean;
  /** reads through a pointer of unknown origin: everything reachable from any pointer handed over */
  derefAll: boolean;
  iv: (number[] | undefined)[];
  loadedR: number[];
  loadedD: number[];
}
const TOP_SUMMARY: ReadSummary = { top: true, derefAll: true, iv: [], loadedR: [], loadedD: [] };
const ALL_IV: number[] = [-INF, INF];
/** a global function: the call reads (and may write) the memory handed over; pointers in it are data to the callee */
const GLOBAL_SUMMARY: ReadSummary = { top: false, derefAll: false, iv: [undefined, ALL_IV, ALL_IV, ALL_IV, ALL_IV, ALL_IV], loadedR: [], loadedD: [] };

/** Adds [lo, hi) to a sorted disjoint interval list (merging touching ones; at most 32 kept) */
function addInterval(list: number[], lo: number, hi: number): void {
  lo = clampInf(lo); hi = clampInf(hi);
  if (hi <= lo) return;
  let q = 0;
  while (q < list.length && list[q + 1] < lo) q += 2;
  let e = q;
  while (e < list.length && list[e] <= hi) { lo = Math.min(lo, list[e]); hi = Math.max(hi, list[e + 1]); e += 2; }
  list.splice(q, e - q, lo, hi);
  if (list.length > 64) { const a = list[0], b = list[list.length - 1]; list.length = 0; list.push(a, b); }
}

class Analysis {
  insns: Insn[] = [];
  env!: LivenessEnv;
  n = 0;
  read = new Uint32Array(0);
  write = new Uint32Array(0);
  live = new Uint32Array(0);
  // per call of the transfer function
  readonly cur = new Int32Array(W);
  readonly aux = new Int32Array(NREG);
  readonly callAux = new Int32Array(NREG);
  /** marks (and the summary) are recorded only in the final pass, from fixpoint states */
  marking = false;
  // tracked slots: tpos[s] = index among the tracked ones or -1; need[s]: a possible stack
  // pointer was stored into untracked slot s (the pass must run again with s tracked)
  readonly tpos = new Int32Array(NSLOT);
  readonly tlist = new Int32Array(NSLOT);
  nt = 0;
  readonly need = new Uint8Array(NSLOT);
  needed = false;
  // interprocedural: the summaries of the subprograms done so far, the one being built, and the
  // regions of pointers loaded from argument memory (key (r, d) -> region id)
  summaries: (ReadSummary | undefined)[] = [];
  sum: ReadSummary = TOP_SUMMARY;
  private loadedIds = new Map<number, number>();
  spOfStart = new Int32Array(0);
  // block graph of the current subprogram (indices into the b* arrays are block ids, ascending
  // by start instruction; successors and predecessors as CSR lists)
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
  readonly sb = new Int32Array(2);
  private readonly argCache = new Map<number, readonly HelperArg[] | undefined>();

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
      this.spOfStart = new Int32Array(m);
    } else {
      this.read.fill(0, 0, 2 * n);
      this.write.fill(0, 0, 2 * n);
      this.leader.fill(0, 0, n);
      this.npred.fill(0, 0, n);
      this.reach.fill(0, 0, n);
    }
    this.spOfStart.fill(-1, 0, n);
    env.subprogs.forEach((sp, k) => { if (sp.start >= 0 && sp.start < n && sp.end > sp.start) this.spOfStart[sp.start] = k; });
    this.summaries = new Array(env.subprogs.length);
  }

  helperArgs(id: number): readonly HelperArg[] | undefined {
    let a = this.argCache.get(id);
    if (a === undefined && !this.argCache.has(id)) { a = this.env.helperArgs(id); this.argCache.set(id, a); }
    return a;
  }

  /** Starts a subprogram's analysis (its loaded-pointer regions and summary) */
  beginSubprog(): void {
    this.loadedIds.clear();
    this.sum = { top: false, derefAll: false, iv: [], loadedR: [], loadedD: [] };
  }

  /** The region of the pointer loaded from argument r (1-5) at offset d */
  private loadedRegion(r: number, d: number): number {
    if (d < -2 * LO_BIAS || d >= 2 * LO_BIAS) return 5 + r;
    const key = r * 4 * LO_BIAS + d + 2 * LO_BIAS;
    let g = this.loadedIds.get(key);
    if (g === undefined) {
      g = FIRST_LOADED + this.sum.loadedR.length;
      if (g >= NREGION) return 5 + r; // too many: as if loaded from an unknown offset of r
      this.loadedIds.set(key, g);
      this.sum.loadedR.push(r);
      this.sum.loadedD.push(d);
    }
    return g;
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
  /** bytes [lo, hi) relative to region g's pointer are read at instruction i */
  private readBytes(i: number, g: number, lo: number, hi: number): void {
    if (!this.marking) return;
    if (g === 0) this.markRange(i, hi >= INF ? 0 : spiOf(hi - 1), lo <= -INF ? NSLOT - 1 : spiOf(lo));
    else addInterval((this.sum.iv[g] ??= []), lo, hi);
  }
  /** a read through TOP: this frame and everything the callers handed over */
  private readEverything(i: number): void {
    if (!this.marking) return;
    this.readAll(i);
    this.sum.derefAll = true;
  }
  /** reads at intervals iv relative to pointer v + base */
  private readVia(i: number, v: number, base: number, iv: readonly number[]): void {
    if (!isPtr(v) || !iv.length) return;
    if (v === TOP) { this.readEverything(i); return; }
    if (v === ANC) { this.sum.derefAll = true; return; }
    const g = regionOf(v);
    if (!rangeKnown(v)) { if (g === 0) this.readAll(i); else this.readBytes(i, g, -INF, INF); return; }
    const lo = loOf(v) + base, hi = lo + widthOf(v);
    for (let q = 0; q < iv.length; q += 2) this.readBytes(i, g, iv[q] <= -INF ? -INF : lo + iv[q], iv[q + 1] >= INF ? INF : hi + iv[q + 1]);
  }
  /** a callee loads the pointer at v + d (8 bytes) and reads at intervals iv relative to it */
  private readViaLoaded(i: number, v: number, d: number, iv: readonly number[]): void {
    if (!isPtr(v) || !iv.length) return;
    if (v === TOP) { this.readEverything(i); return; }
    if (v === ANC) { this.sum.derefAll = true; return; }
    const g = regionOf(v);
    if (g === 0) {
      // the pointer spilled in this frame (the callee cannot store one here: kernel rule)
      this.readVia(i, rangeKnown(v) ? this.slotsIn(loOf(v) + d, loOf(v) + d + widthOf(v), widthOf(v) === 0 && !(v & MAYBE)) : this.anySlot(), 0, iv);
      return;
    }
    if (g <= 5) {
      const q = rangeKnown(v) && widthOf(v) === 0 ? this.loadedRegion(g, loOf(v) + d) : 5 + g;
      for (let p = 0; p < iv.length; p += 2) this.readBytes(i, q, iv[p], iv[p + 1]);
      return;
    }
    // a pointer loaded through a loaded pointer
    this.sum.derefAll = true;
  }
  /**
   * What an 8-byte load from this frame at an address within [lo, hi] may give: the spilled
   * pointers there (exact: the address is lo, certainly), else also data
   */
  private slotsIn(lo: number, hi: number, exact: boolean): number {
    let v = exact ? BOT : NONFP;
    for (let k = 0; k < this.nt; k++) {
      const s = this.tlist[k], o = -8 * (s + 1);
      if (o >= lo && o <= hi) v = join(v, this.cur[NREG + s]);
    }
    // (an untracked slot, or a misaligned address: no pointer)
    return v === BOT ? NONFP : v;
  }
  /** what a load from an unknown slot of this frame may give */
  private anySlot(): number {
    let v = NONFP;
    for (let k = 0; k < this.nt; k++) v = join(v, this.cur[NREG + this.tlist[k]]);
    return v;
  }
  /** a call hands pointer v to code that may read anything through it (and through what it reaches) */
  private readAllVia(i: number, v: number): void {
    if (!isPtr(v)) return;
    if (v === TOP) { this.readEverything(i); return; }
    if (v === ANC) { if (this.marking) this.sum.derefAll = true; return; }
    if (regionOf(v) === 0) {
      // this frame, and what the pointers spilled in it reach
      this.readAll(i);
      const w = this.anySlot();
      if (w === TOP || w === ANC || (isRegion(w) && regionOf(w) !== 0)) this.sum.derefAll = true;
      return;
    }
    // a caller's memory (which holds no pointer into this frame) and what it reaches
    if (this.marking) this.sum.derefAll = true;
  }
  /** applies a callee's summary: argv[r] is what the callee's r holds on entry (r = 1..5) */
  private applySummary(i: number, s: ReadSummary, argv: Int32Array): void {
    let anyPtr = false;
    for (let r = 1; r <= 5; r++) if (isPtr(argv[r])) anyPtr = true;
    if (!anyPtr) return;
    if (s.top || s.derefAll) {
      for (let r = 1; r <= 5; r++) this.readAllVia(i, argv[r]);
      return;
    }
    for (let r = 1; r <= 5; r++) {
      const iv = s.iv[r];
      if (iv) this.readVia(i, argv[r], 0, iv);
      const ivAny = s.iv[5 + r];
      if (ivAny && isPtr(argv[r])) {
        // through a pointer loaded from an unknown offset of r
        const v = argv[r];
        if (v === TOP) this.readEverything(i);
        else if (v === ANC) this.sum.derefAll = true;
        else if (regionOf(v) === 0) this.readVia(i, this.anySlot(), 0, ivAny);
        else if (regionOf(v) <= 5) for (let p = 0; p < ivAny.length; p += 2) this.readBytes(i, 5 + regionOf(v), ivAny[p], ivAny[p + 1]);
        else this.sum.derefAll = true;
      }
    }
    for (let q = 0; q < s.loadedR.length; q++) {
      const iv = s.iv[FIRST_LOADED + q];
      if (iv) this.readViaLoaded(i, argv[s.loadedR[q]], s.loadedD[q], iv);
    }
  }
  private readonly argv = new Int32Array(6);
  /** the summary of the subprogram starting at instruction t (TOP when unknown) */
  private summaryAt(t: number): ReadSummary {
    const sp = t >= 0 && t < this.n ? this.spOfStart[t] : -1;
    if (sp < 0) return TOP_SUMMARY;
    if (this.env.isGlobal?.(sp)) return GLOBAL_SUMMARY;
    return this.summaries[sp] ?? TOP_SUMMARY; // not done yet: a call cycle
  }

  // ---- slot updates (untracked slots are NONFP and must stay so) ----
  private joinSlot(s: number, val: number): void {
    if (this.tpos[s] < 0) {
      if (isPtr(val)) { this.need[s] = 1; this.needed = true; }
      return;
    }
    this.cur[NREG + s] = join(this.cur[NREG + s], val);
  }
  private joinAllSlots(val: number): void {
    const cur = this.cur, tlist = this.tlist;
    for (let k = 0; k < this.nt; k++) { const s = tlist[k]; cur[NREG + s] = join(cur[NREG + s], val); }
    if (isPtr(val) && this.nt < NSLOT) {
      for (let s = 0; s < NSLOT; s++) if (this.tpos[s] < 0) this.need[s] = 1;
      this.needed = true;
    }
  }
  private storeAt(i: number, addr: number, off: number, size: number, val: number, full: boolean): void {
    if (addr === NONFP || addr === ANC) return; // (into a caller's memory: data only, no stack pointer may be stored there)
    // through an unknown pointer: maybe anywhere in this frame
    if (addr === TOP || (regionOf(addr) === 0 && !rangeKnown(addr))) { this.joinAllSlots(val); return; }
    if (regionOf(addr) !== 0) return;
    const lo = loOf(addr) + off, hi = lo + widthOf(addr);
    const top = spiOf(hi + size - 1), bottom = spiOf(lo);
    if (full && isExact(addr) && size === 8 && (lo & 7) === 0 && bottom >= 0 && bottom < NSLOT) {
      if (this.tpos[bottom] >= 0) this.cur[NREG + bottom] = val;
      else if (isPtr(val)) { this.need[bottom] = 1; this.needed = true; }
      if (this.marking) this.write[2 * i + (bottom >> 5)] |= 1 << (bottom & 31);
      return;
    }
    for (let s = Math.max(0, top), e = Math.min(NSLOT - 1, bottom); s <= e; s++) this.joinSlot(s, val);
  }
  private loadAt(i: number, addr: number, off: number, size: number): number {
    if (addr === NONFP) return NONFP;
    if (addr === TOP) { this.readEverything(i); return TOP; }
    if (addr === ANC) { if (this.marking) this.sum.derefAll = true; return size === 8 ? ANC : NONFP; }
    const g = regionOf(addr);
    if (g === 0) {
      if (!rangeKnown(addr)) { this.readAll(i); return size === 8 ? this.anySlot() : NONFP; }
      const lo = loOf(addr) + off, hi = lo + widthOf(addr);
      this.markRange(i, spiOf(hi + size - 1), spiOf(lo));
      if (size !== 8) return NONFP;
      if (widthOf(addr) === 0) {
        const s = spiOf(lo);
        if ((lo & 7) !== 0 || s < 0 || s >= NSLOT) return NONFP;
        const v = this.cur[NREG + s];
        return addr & MAYBE ? join(v, NONFP) : v;
      }
      return this.slotsIn(lo, hi, false);
    }
    // a caller's memory: what it holds there is a stack pointer the caller stored, or data
    if (!rangeKnown(addr)) {
      this.readBytes(i, g, -INF, INF);
      return size !== 8 ? NONFP : g <= 5 ? mk(5 + g, 0, 0, true) : ANC;
    }
    const lo = loOf(addr) + off, hi = lo + widthOf(addr);
    this.readBytes(i, g, lo, hi + size);
    if (size !== 8) return NONFP;
    if (g > 5) return ANC;
    return mk(widthOf(addr) === 0 ? this.loadedRegion(g, lo) : 5 + g, 0, 0, true);
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
      if (x.code === 0x18) {
        if (x.dst < NREG) aux[x.dst] = x.src === 1 || x.src === 5 ? -(x.imm + 1) : x.src === 4 && i + x.imm + 1 >= 0 && i + x.imm + 1 < AUX_LIM ? AUX_FUNC + i + x.imm + 1 : x.src === 0 && this.insns[i + 1]?.imm === 0 ? auxConst(x.imm) : AUX_UNK;
      } else for (let r = 0; r <= 5; r++) aux[r] = AUX_UNK;
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
        if (op === 0xb0) r = cls === 7 && x.off === 0 ? sv : derived(sv);
        else if (cls === 7 && (op === 0x00 || op === 0x10) && !(x.code & 8) && isPtr(dv)) r = fpAdd(dv, op === 0x00 ? x.imm : -x.imm);
        else r = join(derived(dv), derived(sv));
        if (x.dst < NREG) cur[x.dst] = r;
        break;
      }
      case 1: {
        const mode = x.code & 0xe0;
        const v = mode === 0x60 || mode === 0x80 ? this.loadAt(i, cur[x.src], x.off, sizeOfLdSt(x.code)) : NONFP;
        if (x.dst < NREG) cur[x.dst] = mode === 0x60 ? v : derived(v);
        break;
      }
      case 2:
        this.storeAt(i, cur[x.dst], x.off, sizeOfLdSt(x.code), NONFP, true);
        break;
      case 3: {
        const size = sizeOfLdSt(x.code);
        if ((x.code & 0xe0) === 0xc0) {
          // atomic: reads and writes the location; never a full overwrite; a fetch returns the old value
          const old = this.loadAt(i, cur[x.dst], x.off, size);
          this.storeAt(i, cur[x.dst], x.off, size, join(cur[x.src], NONFP), false);
          if (x.imm === 0xf1) cur[0] = old;
          else if (x.imm & 1 && x.src < NREG) cur[x.src] = old;
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
        // a helper reads only its parameters (a stale pointer in R4 is no argument of a 2-argument helper)
        const nargs = x.src === 0 ? this.helperArgs(x.imm)?.length ?? 5 : 5;
        // may the callee write into this frame?
        let ownPassed = false;
        for (let r = 1; r <= nargs && r <= 5; r++) {
          const v = cur[r];
          if (isOwn(v)) ownPassed = true;
        }
        if (this.marking) this.callReads(i, x, nargs);
        if (ownPassed) this.clobberStack();
        // no call returns a stack pointer (helpers hand back PTR_TO_MEM; the kernel refuses a
        // subprogram's "cannot return stack pointer to the caller")
        for (let r = 0; r <= 5; r++) cur[r] = NONFP;
        break;
      }
    }
  }

  /** The reads of a call through the pointers it is handed (marking pass) */
  private callReads(i: number, x: Insn, nargs: number): void {
    const cur = this.cur, argv = this.argv;
    if (x.src === 1) {
      for (let r = 1; r <= 5; r++) argv[r] = cur[r];
      this.applySummary(i, this.summaryAt(i + x.imm + 1), argv);
      return;
    }
    const cb = x.src === 0 && this.env.callsCallback[i] ? CALLBACK_ARGS[x.imm] : undefined;
    for (let r = 1; r <= nargs && r <= 5; r++) {
      const v = cur[r];
      if (!isPtr(v)) continue;
      if (this.env.callsCallback[i]) {
        // the context a helper hands its callback: what the callback reads through its parameter
        const fn = cb && r === cb[1] ? this.callAux[cb[0]] : AUX_UNK;
        if (fn >= AUX_FUNC && fn < AUX_FUNC + AUX_LIM) {
          argv.fill(NONFP);
          argv[cb![2]] = v;
          this.applySummary(i, this.summaryAt(fn - AUX_FUNC), argv);
        } else this.readAllVia(i, v);
        continue;
      }
      // a helper or kfunc reads [ptr, ptr + size) (unknown size: up to the region's end)
      const size = x.src === 0 ? this.helperMemSize(x.imm, r) : -1;
      this.readVia(i, v, 0, size > 0 ? [0, size] : [0, INF]);
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
          return c > 0 && c < AUX_LIM ? c : -1;
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
  buildBlocks(s: number, e: number, plain = false): number {
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
      if (npred[i] >= 2 || plain) leader[i] = 1;
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
  forward(nb: number, bst: Int32Array, bax: Int32Array, wd: number, argRegions: boolean): boolean {
    const { cur, aux, tlist, tpos } = this;
    const nt = this.nt;
    bst.fill(BOT, 0, nb * wd);
    bax.fill(AUX_BOT, 0, nb * NREG);
    // entry: nothing points into the new frame but r10; a called subprogram's r1-r5 may point
    // into its callers' stacks
    for (let k = 0; k < wd; k++) bst[k] = NONFP;
    bst[10] = FP0;
    if (argRegions) for (let r = 1; r <= 5; r++) bst[r] = mk(r, 0, 0, false);
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

/** Subprogram indices, callees (bpf-to-bpf calls and callback references) before their callers; and which are called */
function callOrder(insns: Insn[], subprogs: { start: number; end: number }[], spOfStart: Int32Array): { order: number[]; called: Uint8Array } {
  const m = subprogs.length, n = insns.length;
  const callees: number[][] = [];
  const called = new Uint8Array(m);
  for (let k = 0; k < m; k++) {
    const out: number[] = [];
    const { start, end } = subprogs[k];
    for (let i = Math.max(0, start); i < Math.min(n, end); i++) {
      const x = insns[i];
      const t = (x.code === 0x85 && x.src === 1) || (x.code === 0x18 && x.src === 4) ? i + x.imm + 1 : -1;
      const sp = t >= 0 && t < n ? spOfStart[t] : -1;
      if (sp >= 0) { out.push(sp); called[sp] = 1; }
    }
    callees.push(out);
  }
  const order: number[] = [];
  const state = new Uint8Array(m); // 1 on the stack, 2 done
  for (let root = 0; root < m; root++) {
    if (state[root]) continue;
    const stack: number[] = [root], pos: number[] = [0];
    state[root] = 1;
    while (stack.length) {
      const k = stack[stack.length - 1];
      const p = pos[pos.length - 1]++;
      if (p < callees[k].length) {
        const c = callees[k][p];
        if (!state[c]) { state[c] = 1; stack.push(c); pos.push(0); }
        continue;
      }
      stack.pop(); pos.pop();
      state[k] = 2;
      order.push(k);
    }
  }
  return { order, called };
}

/**
 * @param plain (tests) one instruction per block and every slot tracked from the start: the
 * straightforward fixpoint the per-block, tracked-slot one must equal
 */
export function computeStackLiveness(insns: Insn[], env: LivenessEnv, plain = false): StackLiveness {
  const A = shared;
  A.reset(insns, env);
  const { order, called } = callOrder(insns, env.subprogs, A.spOfStart);
  for (const k of order) {
    const sp = env.subprogs[k];
    const s = Math.max(0, sp.start), e = Math.min(A.n, sp.end);
    if (e <= s) continue;
    const nb = A.buildBlocks(s, e, plain);
    A.beginSubprog();
    // track no slot at first; widen to the slots that receive a possible stack pointer
    A.tpos.fill(-1);
    A.nt = 0;
    if (plain) for (let q = 0; q < NSLOT; q++) { A.tpos[q] = q; A.tlist[A.nt++] = q; }
    if (A.bax.length < nb * NREG) A.bax = new Int32Array(Math.max(nb * NREG, 2 * A.bax.length));
    let ok = false;
    for (let round = 0; round <= NSLOT; round++) {
      const wd = NREG + A.nt;
      if (A.bst.length < nb * wd) A.bst = new Int32Array(Math.max(nb * wd, 2 * A.bst.length));
      A.need.fill(0);
      A.needed = false;
      ok = A.forward(nb, A.bst, A.bax, wd, called[k] === 1);
      if (!ok) break;
      if (!A.needed) { A.markBlocks(nb, A.bst, A.bax, wd); break; }
      for (let q = 0; q < NSLOT; q++) if (A.need[q] && A.tpos[q] < 0) { A.tpos[q] = A.nt; A.tlist[A.nt++] = q; }
    }
    if (ok) {
      A.backward(nb);
      A.summaries[k] = A.sum;
    } else {
      // not converged (cannot happen with this lattice; bounded anyway): everything live, summary unknown
      A.live.fill(0xffffffff, 2 * s, 2 * e);
      A.summaries[k] = TOP_SUMMARY;
    }
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

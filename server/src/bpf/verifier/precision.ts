// Precision tracking as the kernel does it (mark_chain_precision / backtrack_insn): pruning
// compares a scalar's range only where the old state marked that scalar "precise", i.e. some
// path from that state used its exact value (a decided branch, pointer arithmetic, a helper's
// size or constant argument, a constant map key, a checked return value...). When a value is
// used that way, the instructions of the current path are walked backwards, state by state
// (checkpoint by checkpoint), to find which registers and stack slots it was computed from,
// and those are marked precise in every checkpoint the walk crosses.
//
// The walk needs the path: each state keeps an instruction history since its last checkpoint,
// with an entry wherever execution did not simply fall through (jump targets, returns, callee
// entries) and wherever a register was spilled to or filled from a fixed stack slot. The live
// path's entries sit in one growing store (pending branches share it: the walk is LIFO, so an
// entry is only overwritten once nobody can read it); a checkpoint's entries are appended to an
// archive store that is never overwritten. A state names its entries by store and range, so
// copying a state copies no history.
import type { Insn } from '../isa/insn';
import { RegType } from './reg';
import type { VState, Checkpoint } from './state';
import { isSpilledScalar } from './state';

/** history flags: a stack access (frame in bits 0-2, slot in bits 3-8), compare against fp */
export const HF_STACK = 1 << 9;
export const HF_DST_STACK = 1 << 10;
export const HF_SRC_STACK = 1 << 11;

export function stackAccessFlags(frameno: number, spi: number): number {
  return HF_STACK | (frameno & 7) | ((spi & 63) << 3);
}

/** A linked register or slot: frame in bits 0-2, register/slot number in bits 3-9, bit 10 set for a register. */
export function linkedReg(frameno: number, regno: number): number { return frameno | (regno << 3) | 1024; }
export function linkedSlot(frameno: number, spi: number): number { return frameno | (spi << 3); }

/** History entries in parallel arrays (the live path's store, or the checkpoints' archive). */
export class InsnHistory {
  idx: Int32Array = new Int32Array(16);
  prev: Int32Array = new Int32Array(16);
  flags: Int32Array = new Int32Array(16);
  /** registers sharing a scalar id at a branch (see linkedReg) */
  linked: (number[] | undefined)[] = [];
  /** archive: entries in use */
  len = 0;

  /** Writes an entry at position `at` (the state's end), growing the arrays. */
  put(at: number, idx: number, prev: number, flags: number, linked: number[] | undefined): void {
    if (at >= this.idx.length) {
      const n = Math.max(at + 1, this.idx.length * 2);
      const grow = (a: Int32Array): Int32Array => { const b = new Int32Array(n); b.set(a); return b; };
      this.idx = grow(this.idx); this.prev = grow(this.prev); this.flags = grow(this.flags);
    }
    this.idx[at] = idx; this.prev[at] = prev; this.flags[at] = flags;
    if (linked || this.linked[at]) this.linked[at] = linked;
  }

  /** Appends entries [start, end) of another store (archive); returns where they start. */
  append(from: InsnHistory, start: number, end: number): number {
    const at = this.len;
    const n = end - start;
    if (n > 0) {
      this.put(at + n - 1, 0, 0, 0, undefined); // grow once
      // element by element: a few entries at a time, where subarray views would cost more than the copy
      const fi = from.idx, fp = from.prev, ff = from.flags, fl = from.linked;
      const ti = this.idx, tp = this.prev, tf = this.flags, tl = this.linked;
      for (let i = 0; i < n; i++) {
        ti[at + i] = fi[start + i]; tp[at + i] = fp[start + i]; tf[at + i] = ff[start + i];
        const l = fl[start + i];
        if (l || tl[at + i]) tl[at + i] = l;
      }
    }
    this.len = at + n;
    return at;
  }
}

/** Registers and stack slots still to be found, per frame (the kernel's backtrack_state). */
export class Backtrack {
  frame = 0;
  regs = new Uint16Array(8);
  lo = new Uint32Array(8);
  hi = new Uint32Array(8);

  reset(frame: number): void {
    this.frame = frame;
    this.regs.fill(0); this.lo.fill(0); this.hi.fill(0);
  }
  empty(): boolean {
    for (let i = 0; i <= this.frame; i++) if (this.regs[i] | this.lo[i] | this.hi[i]) return false;
    return true;
  }
  setReg(fr: number, r: number): void { this.regs[fr] |= 1 << r; }
  clearReg(fr: number, r: number): void { this.regs[fr] &= ~(1 << r); }
  isReg(fr: number, r: number): boolean { return (this.regs[fr] >> r & 1) === 1; }
  setSlot(fr: number, k: number): void { if (k < 32) this.lo[fr] |= 1 << k; else if (k < 64) this.hi[fr] |= 1 << (k - 32); }
  clearSlot(fr: number, k: number): void { if (k < 32) this.lo[fr] &= ~(1 << k); else if (k < 64) this.hi[fr] &= ~(1 << (k - 32)); }
  isSlot(fr: number, k: number): boolean { return ((k < 32 ? this.lo[fr] >>> k : k < 64 ? this.hi[fr] >>> (k - 32) : 0) & 1) === 1; }
}

const NOTSUPP = 1, BUG = 2;

/** Where the walk's level 2 log lines go (set only when the log level is 2). */
export interface PrecisionLog {
  out(s: string): void;
  /** the instruction as the log prints it ("(b7) r1 = 0") */
  insn(idx: number): string;
  /** print_verifier_state(frame fr of st, print_all), with its leading space */
  frame(st: VState, fr: number): string;
}

/** fmt_reg_mask: "r0,r2,r4" */
function fmtRegs(m: number): string {
  let s = '';
  for (let r = 0; m; r++, m >>>= 1) if (m & 1) s += s ? `,r${r}` : `r${r}`;
  return s;
}

/** fmt_stack_mask: "-8,-24,-40" */
function fmtStack(lo: number, hi: number): string {
  let s = '';
  for (let k = 0; k < 64; k++) {
    if (((k < 32 ? lo >>> k : hi >>> (k - 32)) & 1) === 0) continue;
    s += s ? `,${-(k + 1) * 8}` : `${-(k + 1) * 8}`;
  }
  return s;
}

export class Precision {
  /** the live path's history */
  readonly hist = new InsnHistory();
  /** checkpoints' history */
  readonly archive = new InsnHistory();
  readonly bt = new Backtrack();
  /** how many walks fell back to marking every scalar precise (for tests and notes) */
  fallbacks = 0;
  /** the level 2 log of the walks ("mark_precise: ..."), undefined below level 2 */
  log: PrecisionLog | undefined;

  /**
   * Per instruction, for the walk's fast path: bit 15 set when the instruction (without a history
   * entry) can only matter if one of the registers in bits 0-10 is wanted; 0: always look closer.
   */
  private touchTable: Uint16Array | undefined;

  constructor(private insns: Insn[]) {}

  /** computed on the first walk: programs that never need a precise value never pay it */
  private get touch(): Uint16Array {
    if (this.touchTable) return this.touchTable;
    const insns = this.insns;
    const t = this.touchTable = new Uint16Array(insns.length);
    for (let i = 0; i < insns.length; i++) {
      const x = insns[i];
      const cls = x.code & 7, op = x.code & 0xf0;
      if (cls === 4 || cls === 7 || cls === 1 || cls === 2 || (cls === 3 && (x.code & 0xe0) !== 0xc0)) t[i] = 0x8000 | (1 << x.dst);
      else if ((cls === 5 || cls === 6) && op !== 0x80 && op !== 0x90) t[i] = 0x8000 | (op !== 0x00 && op !== 0xe0 && x.code & 8 ? (1 << x.dst) | (1 << x.src) : 0);
    }
    return t;
  }

  /**
   * __mark_chain_precision: the registers/slots set in `bt` (call bt.reset(cur.cur) and set them
   * first) are needed precisely by instruction `insnIdx` of `cur`; mark their sources precise in
   * cur's checkpoints. Precise marks in `cur` itself do not matter (only checkpoints are compared).
   */
  markChain(cur: VState, insnIdx: number): void {
    const bt = this.bt;
    if (bt.empty()) return;
    const n = this.insns.length;
    let st: VState = cur;
    let store = cur.histStore ?? this.hist, hstart = cur.histStart, hend0 = cur.histEnd;
    let firstIdx = cur.firstIdx, lastIdx = insnIdx, subseq = -1;
    let skipFirst = true;
    let guard = 0;
    const log = this.log;
    for (;;) {
      if (log) log.out(`mark_precise: frame${bt.frame}: last_idx ${lastIdx} first_idx ${firstIdx} subseq_idx ${subseq} \n`);
      if (lastIdx < 0) {
        // the entry of the program or of a global function verified on its own: what is still
        // wanted is an argument (or nothing); mark it in this first state and stop
        this.markIn(st, false);
        return;
      }
      let i = lastIdx;
      let hend = hend0;
      const hidx = store.idx;
      const touch = this.touch;
      for (;;) {
        if (++guard > 4_000_000) { this.markAll(cur); return; }
        if (skipFirst) {
          skipFirst = false;
          if (bt.empty()) return;
        } else {
          const h = hend > hstart && hidx[hend - 1] === i ? hend - 1 : -1;
          const t = touch[i];
          // fast path: nothing this instruction writes or compares is wanted (the log lists every one)
          if (log || h >= 0 || !(t & 0x8000) || (t & bt.regs[bt.frame]) !== 0) {
            if (log && this.insns[i].code !== 0) {
              const fr = bt.frame;
              log.out(`mark_precise: frame${fr}: regs=${fmtRegs(bt.regs[fr])} stack=${fmtStack(bt.lo[fr], bt.hi[fr])} before ${i}: ${log.insn(i)}\n`);
            }
            const r = this.backtrackInsn(i, subseq, store, h);
            if (r) { this.markAll(cur); return; }
            if (bt.empty()) return;
          }
        }
        subseq = i;
        const cnt = hend - hstart;
        if (i === firstIdx && (cnt === 0 || (cnt === 1 && hidx[hstart] === i))) break;
        if (cnt && hidx[hend - 1] === i) { hend--; i = store.prev[hend]; } else i = i - 1;
        if (i < 0 || i >= n) { this.markAll(cur); return; }
      }
      const cp: Checkpoint | undefined = st.parent;
      if (!cp) break;
      st = cp.state;
      this.markIn(st, true);
      if (bt.empty()) return;
      subseq = firstIdx;
      lastIdx = st.lastIdx;
      firstIdx = st.firstIdx;
      store = st.histStore ?? this.hist;
      hstart = st.histStart;
      hend0 = st.histEnd;
    }
    // still something wanted at the start of the path: fall back, as the kernel does
    if (!bt.empty()) this.markAll(cur);
  }

  /** Marks what bt holds in a parent state; what was already precise there needs no more walking. */
  private markIn(st: VState, print: boolean): void {
    const bt = this.bt;
    const log = print ? this.log : undefined;
    for (let fr = bt.frame; fr >= 0; fr--) {
      const f = st.frames[fr];
      if (!f) { bt.regs[fr] = 0; bt.lo[fr] = 0; bt.hi[fr] = 0; continue; }
      let m = bt.regs[fr];
      for (let r = 0; m; r++, m >>= 1) {
        if (!(m & 1)) continue;
        const reg = f.regs[r];
        if (reg.type !== RegType.SCALAR_VALUE || reg.precise) bt.clearReg(fr, r);
        else f.w(r).precise = true; // un-shares the register (state.ts)
      }
      if (bt.lo[fr] | bt.hi[fr]) {
        for (let k = 0; k < 64; k++) {
          if (!bt.isSlot(fr, k)) continue;
          const s = f.stackRO[k];
          if (!s || !isSpilledScalar(s) || s.spilled.precise) bt.clearSlot(fr, k);
          else f.ws(k).spilled.precise = true; // un-shares the slot (state.ts)
        }
      }
      if (log) log.out(`mark_precise: frame${fr}: parent state regs=${fmtRegs(bt.regs[fr])} stack=${fmtStack(bt.lo[fr], bt.hi[fr])}: ${log.frame(st, fr)}\n`);
    }
  }

  /** mark_all_scalars_precise: the big hammer, for every checkpoint above `cur`. */
  markAll(cur: VState): void {
    this.fallbacks++;
    if (this.log) this.log.out(`mark_precise: frame${cur.cur}: falling back to forcing all scalars precise\n`);
    this.bt.reset(0);
    for (let cp = cur.parent; cp; cp = cp.state.parent) {
      for (const f of cp.state.frames) {
        for (let r = 0; r < 10; r++) if (f.regs[r].type === RegType.SCALAR_VALUE && !f.regs[r].precise) f.w(r).precise = true;
        const ro = f.stack;
        for (let k = 0; k < ro.length; k++) if (isSpilledScalar(ro[k]) && !ro[k].spilled.precise) f.ws(k).spilled.precise = true;
      }
    }
  }

  /** bt_sync_linked_regs: one register of a linked set wanted means all of them are. */
  private syncLinked(store: InsnHistory, h: number): void {
    if (h < 0) return;
    const l = store.linked[h];
    if (!l) return;
    const bt = this.bt;
    let some = false;
    for (const e of l) {
      const fr = e & 7, no = (e >> 3) & 127;
      if (e & 1024 ? bt.isReg(fr, no) : bt.isSlot(fr, no)) { some = true; break; }
    }
    if (!some) return;
    for (const e of l) {
      const fr = e & 7, no = (e >> 3) & 127;
      if (e & 1024) bt.setReg(fr, no); else bt.setSlot(fr, no);
    }
  }

  /** backtrack_insn: what instruction idx needs precise, given what its successor needs. */
  private backtrackInsn(idx: number, subseq: number, store: InsnHistory, h: number): number {
    const bt = this.bt;
    const insn = this.insns[idx];
    const code = insn.code;
    if (code === 0) return 0; // second half of ld_imm64
    const cls = code & 7, op = code & 0xf0;
    const dreg = insn.dst, sreg = insn.src;
    const fr = bt.frame;
    const flags = h >= 0 ? store.flags[h] : 0;
    this.syncLinked(store, h);
    if (cls === 4 || cls === 7) {
      if (!bt.isReg(fr, dreg)) return 0;
      if (op === 0xd0 || op === 0x80) return 0; // END, NEG
      if (op === 0xb0) {
        bt.clearReg(fr, dreg);
        if (code & 8 && sreg !== 10) bt.setReg(fr, sreg);
      } else if (code & 8 && sreg !== 10) {
        bt.setReg(fr, sreg);
      }
    } else if (cls === 1 || (cls === 3 && (code & 0xe0) === 0xc0 && insn.imm & 1)) {
      const loadReg = cls === 1 ? dreg : insn.imm === 0xf1 ? 0 : sreg;
      if (!bt.isReg(fr, loadReg)) return 0;
      bt.clearReg(fr, loadReg);
      if (!(flags & HF_STACK)) return 0;
      bt.setSlot(flags & 7, (flags >> 3) & 63);
    } else if (cls === 2 || cls === 3) {
      if (bt.isReg(fr, dreg)) return NOTSUPP;
      if (!(flags & HF_STACK)) return 0;
      const sf = flags & 7, spi = (flags >> 3) & 63;
      if (!bt.isSlot(sf, spi)) return 0;
      bt.clearSlot(sf, spi);
      if (cls === 3) bt.setReg(fr, sreg);
    } else if (cls === 5 || cls === 6) {
      if (op === 0x80) {
        if (insn.src === 1) {
          if (subseq === idx + 1) {
            // a global function: verified on its own, only R0 comes back
            if (bt.regs[fr] & 0x3e) return BUG;
            bt.clearReg(fr, 0);
            return 0;
          }
          // entering the callee backwards: only its arguments can still be wanted
          if (bt.regs[fr] & ~0x3e || bt.lo[fr] || bt.hi[fr]) return BUG;
          if (fr === 0) return BUG;
          for (let r = 1; r <= 5; r++) if (bt.isReg(fr, r)) { bt.clearReg(fr, r); bt.setReg(fr - 1, r); }
          bt.frame--;
          return 0;
        }
        if (insn.src === 2 && insn.imm === 0) return NOTSUPP;
        if (subseq !== idx + 1 && subseq >= 0) {
          // the entry of a callback verified from this helper call: its arguments are made up here
          if (bt.regs[fr] & ~0x3e || bt.lo[fr] || bt.hi[fr]) return BUG;
          if (fr === 0) return BUG;
          bt.regs[fr] = 0;
          bt.frame--;
          return 0;
        }
        bt.clearReg(fr, 0);
        if (bt.regs[fr] & 0x3e) return BUG;
      } else if (op === 0x90) {
        const fromCall = subseq - 1 >= 0 && this.insns[subseq - 1].code === 0x85 && this.insns[subseq - 1].src === 1;
        const r0 = fromCall && bt.isReg(fr, 0);
        if (fromCall && bt.regs[fr] & 0x3e) return BUG;
        bt.clearReg(fr, 0);
        if (fr >= 7) return BUG;
        bt.frame++;
        bt.regs[fr + 1] = 0; bt.lo[fr + 1] = 0; bt.hi[fr + 1] = 0;
        if (r0) bt.setReg(fr + 1, 0);
        return 0;
      } else if (op !== 0x00 && op !== 0xe0 && code & 8) {
        if (!bt.isReg(fr, dreg) && !bt.isReg(fr, sreg)) return 0;
        if (!(flags & HF_SRC_STACK)) bt.setReg(fr, sreg);
        if (!(flags & HF_DST_STACK)) bt.setReg(fr, dreg);
      }
    } else if (cls === 0) {
      if (code === 0x18) { bt.clearReg(fr, dreg); return 0; }
      // LD_ABS / LD_IND: R0 from packet data, never a precise source
      if (bt.isReg(fr, 0)) return NOTSUPP;
      return 0;
    }
    this.syncLinked(store, h);
    return 0;
  }
}

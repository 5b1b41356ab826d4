// Verifier state: frames (registers + stack) of one path through the program, references held,
// lock state, and the bookkeeping used for pruning (parent checkpoint, branch counts).
//
// Ownership (copy-on-write): a state copy shares the register objects and the stack's slots with
// the state it copies; neither frame owns them afterwards. Read through `regs` / `stack` (read-only
// types RReg / RSlot); write a register through `w(r)` and a slot through `ws(i)`, which clone it
// first when the frame does not own it (`set`, `setSlot`, `grow` install new objects). Never keep a
// writable register or slot across a state copy, and never put one object in two places.
import { Reg, RReg, notInit, cloneReg, RegType } from './reg';
import type { InsnHistory } from './precision';

export const MAX_BPF_STACK = 512;
export const BPF_REG_SIZE = 8;
export const MAX_CALL_FRAMES = 8;

export const enum Slot {
  INVALID = 0, SPILL = 1, MISC = 2, ZERO = 3, DYNPTR = 4, ITER = 5, IRQ_FLAG = 6,
}
export const SLOT_CHAR = ['?', 'r', 'm', '0', 'd', 'i', 'f'];

/** One 8-byte stack slot: a type per byte and the register spilled there (if any). */
export interface StackSlot {
  types: number[];
  spilled: Reg;
  /** the epoch of the stack box that may write it in place (see StackBox) */
  own: number;
}

/** A stack slot seen through a read-only view (Frame.stack): not assignable to StackSlot. */
export interface RSlot {
  readonly types: readonly number[];
  readonly spilled: RReg;
  readonly own: number;
}

/**
 * A frame's array of slots, shared copy-on-write between a state and its copies (checkpoints,
 * pending branches): `refs` counts the frames holding it; the array is copied (pointers only)
 * before a write when refs > 1. A slot object may be written in place only by the box whose
 * `epoch` it carries: a box takes a new epoch whenever it is shared or copied, which disowns every
 * slot it holds, so a write then clones the one slot written.
 */
interface StackBox { slots: StackSlot[]; refs: number; epoch: number }

let epochGen = 0;

// ---- copy-on-write self-check (BPFLS_COW_CHECK=1, tests only) -------------------------------
// A shared object must never change again: each one is recorded with a snapshot when it becomes
// shared, compared when it is cloned for a writer and, all of them, every 4096 copies.
const COW_CHECK = typeof process !== 'undefined' && process.env?.BPFLS_COW_CHECK === '1';
const cowSeen = new WeakMap<object, Record<string, unknown>>();
const cowShared: Array<[object, Record<string, unknown>]> = [];
let cowCopies = 0;

function cowSnap(o: object): Record<string, unknown> {
  const snap: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) snap[k] = Array.isArray(v) ? v.join(',') : v;
  return snap;
}

function cowSame(o: object, snap: Record<string, unknown>): boolean {
  const now = cowSnap(o);
  const keys = new Set([...Object.keys(now), ...Object.keys(snap)]);
  for (const k of keys) if (now[k] !== snap[k] && !(Number.isNaN(now[k]) && Number.isNaN(snap[k]))) return false;
  return true;
}

function cowNote(o: object): void {
  if (cowSeen.has(o)) return;
  const snap = cowSnap(o);
  cowSeen.set(o, snap);
  cowShared.push([o, snap]);
}

function cowVerifyOne(o: object): void {
  const snap = cowSeen.get(o);
  if (snap && !cowSame(o, snap)) throw new Error('copy-on-write: a shared register or slot was written in place');
}

/** Checks every shared object recorded so far (BPFLS_COW_CHECK=1); a no-op otherwise. */
export function cowCheckAll(): void {
  for (const [o, snap] of cowShared) {
    if (!cowSame(o, snap)) throw new Error('copy-on-write: a shared register or slot was written in place');
  }
}

export class Frame {
  /**
   * The registers, read-only: the objects may be shared with other states' copies of this frame.
   * Write through `w(r)` (or replace with `set(r, fresh)`).
   */
  readonly regs: readonly RReg[];
  /** bit r set: regs[r] is this frame's own object (written since the last copy), writable in place */
  private owned: number;
  private box: StackBox;
  callsite: number;
  subprog: number;
  frameno: number;
  /** set while verifying a callback body: the allowed range of its return value */
  callbackRet?: { min: bigint; max: bigint };
  inCallback = false;
  inAsyncCallback = false;
  callbackDepth = 0;

  constructor(regs: Reg[], box: StackBox, callsite: number, subprog: number, frameno: number) {
    this.regs = regs; this.owned = 0x7ff; this.box = box; this.callsite = callsite; this.subprog = subprog; this.frameno = frameno;
  }

  /** Register r, writable: cloned first when it is shared with another state's copy. */
  w(r: number): Reg {
    const regs = this.regs as Reg[];
    const bit = 1 << r;
    if ((this.owned & bit) === 0) {
      if (COW_CHECK) cowVerifyOne(regs[r]);
      this.owned |= bit;
      return (regs[r] = cloneReg(regs[r]));
    }
    return regs[r];
  }

  /** All registers, writable (each un-shared first): for a frame being set up, e.g. a new callee's. */
  ownRegs(): Reg[] {
    if (this.owned !== 0x7ff) for (let r = 0; r < 11; r++) this.w(r);
    return this.regs as Reg[];
  }

  /** Replaces register r by `reg`, which must be a fresh object no other register or slot holds. */
  set(r: number, reg: Reg): void {
    (this.regs as Reg[])[r] = reg;
    this.owned |= 1 << r;
  }

  /**
   * stack[i] covers bytes [-(i+1)*8, -i*8) below the frame pointer. Read-only: the array and the
   * slots may be shared with other states' copies. Write a slot through `ws(i)` (or replace it with
   * `setSlot`); grow the stack with growStack. Do not keep the array across a write.
   */
  get stack(): readonly RSlot[] { return this.box.slots; }

  /** The same read-only view as `stack` (for readers written before slots were copy-on-write). */
  get stackRO(): readonly RSlot[] { return this.box.slots; }

  /** This frame's own box of slots: the shared array is copied (pointers only) first. */
  private ownBox(): StackBox {
    const b = this.box;
    if (b.refs === 1) return b;
    b.refs--;
    return (this.box = { slots: b.slots.slice(), refs: 1, epoch: ++epochGen });
  }

  /** Slot i, writable: cloned first when another state's copy may hold it. */
  ws(i: number): StackSlot {
    const b = this.ownBox();
    const s = b.slots[i];
    if (s.own === b.epoch) return s;
    if (COW_CHECK) { cowVerifyOne(s); cowVerifyOne(s.spilled); }
    return (b.slots[i] = { types: s.types.slice(), spilled: cloneReg(s.spilled), own: b.epoch });
  }

  /** Replaces slot i by a new slot of these types and spilled register (a fresh object). */
  setSlot(i: number, types: number[], spilled: Reg): void {
    const b = this.ownBox();
    b.slots[i] = { types, spilled, own: b.epoch };
  }

  /** Grows the stack to `n` slots (new slots invalid). */
  grow(n: number): void {
    if (this.box.slots.length >= n) return;
    const b = this.ownBox();
    while (b.slots.length < n) b.slots.push({ types: [0, 0, 0, 0, 0, 0, 0, 0], spilled: notInit(), own: b.epoch });
  }

  /**
   * A copy of this frame: the register objects and the stack are shared until either side writes
   * them (both frames give up ownership of their registers).
   */
  copy(): Frame {
    const regs = (this.regs as Reg[]).slice();
    if (COW_CHECK) {
      for (const r of regs) cowNote(r);
      for (const sl of this.box.slots) { cowNote(sl); cowNote(sl.spilled); }
      if ((++cowCopies & 4095) === 0) { cowCheckAll(); if (cowShared.length > 200_000) cowShared.length = 0; }
    }
    this.owned = 0;
    this.box.refs++;
    this.box.epoch = ++epochGen; // the slots are shared now: nobody owns them
    const f = new Frame(regs, this.box, this.callsite, this.subprog, this.frameno);
    f.owned = 0;
    f.callbackRet = this.callbackRet;
    f.inCallback = this.inCallback; f.inAsyncCallback = this.inAsyncCallback; f.callbackDepth = this.callbackDepth;
    return f;
  }
}

export interface RefState {
  id: number;
  insn: number;
  kind: 'ptr' | 'lock' | 'rcu' | 'irq' | 'preempt';
}

export interface Checkpoint {
  state: VState;
  insn: number;
  branches: number;
  hit: number;
  miss: number;
  parent?: Checkpoint;
  /**
   * A path below this checkpoint was pruned against a state still being explored (an iterator,
   * may_goto or callback loop): its precision marks may be incomplete, so it is only ever compared
   * range for range (the kernel compares such states exactly until their loop is done).
   */
  loopTainted?: boolean;
}

// A new field must also be copied in cloneState below.
export interface VState {
  frames: Frame[];
  cur: number;
  refs: RefState[];
  /** id of the held bpf_spin_lock's owner (map value / object id), 0 if none */
  activeLock: number;
  activeLockPtr: unknown;
  rcuDepth: number;
  mayGotoDepth: number;
  /** callbacks entered on this path (callback_unroll_depth): repeated callback calls are no infinite loop */
  callbackUnrollDepth: number;
  /** checkpoint this path descends from */
  parent?: Checkpoint;
  /** branch decisions taken on this path, most recent last (persistent list for cheap copies) */
  path: PathNode | null;
  /**
   * Instruction history since the last checkpoint, for precision backtracking (precision.ts):
   * entries [histStart, histEnd) of the verifier's live history store, or for a checkpoint of
   * `histStore` (the archive). firstIdx: where this stretch of the path starts; lastIdx (checkpoints): the
   * instruction executed just before the checkpoint's instruction.
   */
  histStart: number;
  histEnd: number;
  firstIdx: number;
  lastIdx: number;
  histStore?: InsnHistory;
  speculative: boolean;
}

export interface PathNode { insn: number; taken: boolean; prev: PathNode | null }

export function newFrame(callsite: number, subprog: number, frameno: number): Frame {
  const regs: Reg[] = [];
  for (let i = 0; i < 11; i++) regs.push(notInit());
  return new Frame(regs, { slots: [], refs: 1, epoch: ++epochGen }, callsite, subprog, frameno);
}

export function cloneFrame(f: Frame): Frame {
  return f.copy();
}

/**
 * A copy of a state. Field by field (an object spread of states whose optional fields were set in
 * different orders goes megamorphic and is several times slower): a new VState field must be
 * added here.
 */
export function cloneState(s: VState): VState {
  const frames = new Array<Frame>(s.frames.length);
  for (let i = 0; i < frames.length; i++) frames[i] = s.frames[i].copy();
  const refs = new Array<RefState>(s.refs.length);
  for (let i = 0; i < refs.length; i++) { const r = s.refs[i]; refs[i] = { id: r.id, insn: r.insn, kind: r.kind }; }
  return {
    frames, cur: s.cur, refs, activeLock: s.activeLock, activeLockPtr: s.activeLockPtr, rcuDepth: s.rcuDepth,
    mayGotoDepth: s.mayGotoDepth, callbackUnrollDepth: s.callbackUnrollDepth, parent: s.parent, path: s.path, histStart: s.histStart, histEnd: s.histEnd,
    firstIdx: s.firstIdx, lastIdx: s.lastIdx, histStore: s.histStore, speculative: s.speculative,
  };
}

/** Grows a frame's stack to hold `slots` slots. */
export function growStack(f: Frame, slots: number): void {
  f.grow(slots);
}

export function isSpilledReg(s: RSlot): boolean {
  return s.types[BPF_REG_SIZE - 1] === Slot.SPILL;
}

export function isSpilledScalar(s: RSlot): boolean {
  return isSpilledReg(s) && s.spilled.type === RegType.SCALAR_VALUE;
}

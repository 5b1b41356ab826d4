// Verifier state: frames (registers + stack) of one path through the program, references held,
// lock state, and the bookkeeping used for pruning (parent checkpoint, branch counts).
import { Reg, notInit, cloneReg, RegType } from './reg';
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
}

/**
 * A frame's stack slots, shared copy-on-write between a state and its copies (checkpoints, pending
 * branches): `refs` counts the frames holding it. Never mutate `slots` of a box with refs > 1.
 */
interface StackBox { slots: StackSlot[]; refs: number }

export class Frame {
  regs: Reg[];
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
    this.regs = regs; this.box = box; this.callsite = callsite; this.subprog = subprog; this.frameno = frameno;
  }

  /**
   * stack[i] covers bytes [-(i+1)*8, -i*8) below the frame pointer. Writable: a stack shared with
   * another state's copy is copied first, so any use of this accessor may mutate the slots.
   */
  get stack(): StackSlot[] {
    const b = this.box;
    if (b.refs > 1) {
      b.refs--;
      const src = b.slots;
      const slots = new Array<StackSlot>(src.length);
      for (let i = 0; i < src.length; i++) slots[i] = cloneSlot(src[i]);
      this.box = { slots, refs: 1 };
      return slots;
    }
    return b.slots;
  }

  /**
   * The slots without un-sharing them: for code that only reads (pruning comparisons, liveness,
   * printing). Never write through it, nor keep it across a use of `stack`.
   */
  get stackRO(): readonly StackSlot[] { return this.box.slots; }

  /** A copy of this frame: registers copied, stack shared until either side writes it. */
  copy(): Frame {
    const regs = new Array<Reg>(11);
    for (let i = 0; i < 11; i++) regs[i] = cloneReg(this.regs[i]);
    this.box.refs++;
    const f = new Frame(regs, this.box, this.callsite, this.subprog, this.frameno);
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
  return new Frame(regs, { slots: [], refs: 1 }, callsite, subprog, frameno);
}

export function cloneSlot(s: StackSlot): StackSlot {
  return { types: s.types.slice(), spilled: cloneReg(s.spilled) };
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

export function emptySlot(): StackSlot {
  return { types: [0, 0, 0, 0, 0, 0, 0, 0], spilled: notInit() };
}

/** Grows a frame's stack to hold `slots` slots. */
export function growStack(f: Frame, slots: number): void {
  if (f.stackRO.length >= slots) return;
  const st = f.stack;
  while (st.length < slots) st.push(emptySlot());
}

export function isSpilledReg(s: StackSlot): boolean {
  return s.types[BPF_REG_SIZE - 1] === Slot.SPILL;
}

export function isSpilledScalar(s: StackSlot): boolean {
  return isSpilledReg(s) && s.spilled.type === RegType.SCALAR_VALUE;
}

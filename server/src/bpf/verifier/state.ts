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

export interface Frame {
  regs: Reg[];
  /** stack[i] covers bytes [-(i+1)*8, -i*8) below the frame pointer */
  stack: StackSlot[];
  callsite: number;
  subprog: number;
  frameno: number;
  /** set while verifying a callback body: the allowed range of its return value */
  callbackRet?: { min: bigint; max: bigint };
  inCallback: boolean;
  inAsyncCallback: boolean;
  callbackDepth: number;
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

export interface VState {
  frames: Frame[];
  cur: number;
  refs: RefState[];
  /** id of the held bpf_spin_lock's owner (map value / object id), 0 if none */
  activeLock: number;
  activeLockPtr: unknown;
  rcuDepth: number;
  mayGotoDepth: number;
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
  return { regs, stack: [], callsite, subprog, frameno, inCallback: false, inAsyncCallback: false, callbackDepth: 0 };
}

export function cloneSlot(s: StackSlot): StackSlot {
  return { types: s.types.slice(), spilled: cloneReg(s.spilled) };
}

export function cloneFrame(f: Frame): Frame {
  const regs = new Array<Reg>(11);
  for (let i = 0; i < 11; i++) regs[i] = cloneReg(f.regs[i]);
  const stack = new Array<StackSlot>(f.stack.length);
  for (let i = 0; i < f.stack.length; i++) stack[i] = cloneSlot(f.stack[i]);
  return {
    regs, stack, callsite: f.callsite, subprog: f.subprog, frameno: f.frameno, callbackRet: f.callbackRet,
    inCallback: f.inCallback, inAsyncCallback: f.inAsyncCallback, callbackDepth: f.callbackDepth,
  };
}

export function cloneState(s: VState): VState {
  return {
    ...s,
    frames: s.frames.map(cloneFrame),
    refs: s.refs.map((r) => ({ ...r })),
  };
}

export function emptySlot(): StackSlot {
  return { types: [0, 0, 0, 0, 0, 0, 0, 0], spilled: notInit() };
}

/** Grows a frame's stack to hold `slots` slots. */
export function growStack(f: Frame, slots: number): void {
  while (f.stack.length < slots) f.stack.push(emptySlot());
}

export function isSpilledReg(s: StackSlot): boolean {
  return s.types[BPF_REG_SIZE - 1] === Slot.SPILL;
}

export function isSpilledScalar(s: StackSlot): boolean {
  return isSpilledReg(s) && s.spilled.type === RegType.SCALAR_VALUE;
}

// Dynptrs on the stack (kernel/bpf/verifier.c: process_dynptr_func, mark_stack_slots_dynptr,
// unmark_stack_slots_dynptr, destroy_if_dynptr_stack_slot). A struct bpf_dynptr takes two stack
// slots (16 bytes) whose byte types are STACK_DYNPTR; the spilled register of each slot carries the
// dynptr's type, its id (shared by both slots, and by slices taken from it) and, for ring buffer
// dynptrs, the reference that must be submitted or discarded. Helpers and kfuncs reach these
// functions through a small host interface, so the verifier's own state stays private to it.
import { Reg, RReg, RegType, notInit, markUnknown, markPtr, PTR_MAYBE_NULL } from './reg';
import { tnumIsConst, tnumIsZero, tnumSNum, tnumStr } from './tnum';
import { Frame, Slot, VState } from './state';

export type DynptrType = 'local' | 'ringbuf' | 'skb' | 'xdp';

const BPF_DYNPTR_NR_SLOTS = 2;
/** the kernel's -ERANGE from stack_slot_obj_get_spi: not (yet) inside the allocated stack */
const ERANGE = -34;
const EINVAL = -22;

export interface DynptrHost {
  readonly cur: VState;
  readonly regs: readonly RReg[];
  /** the current frame's register regno, writable (un-shared first: state.ts) */
  wreg(regno: number): Reg;
  nextId(): number;
  err(msg: string): never;
  /** acquire_reference_state: a new reference allocated at insn idx */
  acquireRef(idx: number): number;
  /** release_reference: drops the reference and invalidates every register carrying it */
  releaseRef(id: number): void;
  /** check_mem_access(BPF_WRITE, BPF_DW) of the stack at register regno + off */
  stackWrite8(regno: number, off: number): void;
}

/** What an argument of type ARG_PTR_TO_DYNPTR (with its flags) asks for. */
export interface DynptrArgSpec {
  /** MEM_UNINIT: the helper/kfunc constructs a new dynptr there */
  uninit: boolean;
  /** MEM_RDONLY: an initialised dynptr the callee does not mutate (a const pointer is fine) */
  rdonly: boolean;
  /** DYNPTR_TYPE_*: the dynptr type expected (or created); undefined: any type */
  type?: DynptrType;
  /** bpf_dynptr_clone: the parent's reference, shared by the clone */
  cloneRefObjId?: number;
}

const slotFirst = (s: { readonly spilled: RReg }): boolean => s.spilled.off === 0;


function dynptrSpi(h: DynptrHost, reg: RReg): { spi: number; why?: string } {
  if (!tnumIsConst(reg.varOff)) return { spi: EINVAL, why: 'dynptr has to be at a constant offset' };
  const off = reg.off + tnumSNum(reg.varOff);
  const spi = Math.floor((-off - 1) / 8);
  if (off % 8 !== 0 || spi + 1 < BPF_DYNPTR_NR_SLOTS) return { spi: EINVAL, why: `cannot pass in dynptr at an offset=${off}` };
  const fr = h.cur.frames[reg.frameno];
  if (!(spi - BPF_DYNPTR_NR_SLOTS + 1 >= 0 && spi < fr.stack.length)) return { spi: ERANGE };
  return { spi };
}

/** dynptr_get_spi where the offset must be good: the slot index, or ERANGE. */
export function dynptrGetSpi(h: DynptrHost, reg: RReg): number {
  const r = dynptrSpi(h, reg);
  if (r.why) h.err(r.why);
  return r.spi;
}

function isDynptrSlot(fr: Frame, spi: number): boolean {
  const s = fr.stack[spi];
  return !!s && s.types[0] === Slot.DYNPTR;
}

function setSlots(fr: Frame, spi: number, t: Slot): void {
  const a = fr.ws(spi), b = fr.ws(spi - 1);
  for (let i = 0; i < 8; i++) { a.types[i] = t; b.types[i] = t; }
}

function invalidateDynptr(fr: Frame, spi: number): void {
  setSlots(fr, spi, Slot.INVALID);
  fr.ws(spi).spilled = notInit();
  fr.ws(spi - 1).spilled = notInit();
}

/**
 * destroy_if_dynptr_stack_slot: a write into a dynptr's slot destroys an unreferenced dynptr (both
 * slots, and the slices taken from it); a referenced one cannot be overwritten.
 */
export function destroyIfDynptrSlot(h: DynptrHost, fr: Frame, spi: number): void {
  if (!isDynptrSlot(fr, spi)) return;
  if (!slotFirst(fr.stack[spi])) spi += 1;
  const first = fr.stack[spi].spilled;
  if (first.dynptrType === 'ringbuf') h.err('cannot overwrite referenced dynptr');
  const id = first.id;
  setSlots(fr, spi, Slot.INVALID);
  for (const f of h.cur.frames) {
    const visit = (r: Reg): void => {
      if (r.type === RegType.PTR_TO_MEM && r.dynptrId === id) markUnknown(r);
    };
    for (let i = 0; i < 11; i++) {
      const r = f.regs[i];
      if (r.type === RegType.PTR_TO_MEM && r.dynptrId === id) markUnknown(f.w(i));
    }
    const ro = f.stack;
    for (let k = 0; k < ro.length; k++) {
      const s = ro[k];
      if (s.types[7] === Slot.SPILL && s.spilled.type === RegType.PTR_TO_MEM && s.spilled.dynptrId === id) visit(f.ws(k).spilled);
    }
  }
  fr.ws(spi).spilled = notInit();
  fr.ws(spi - 1).spilled = notInit();
}

function markStackSlotsDynptr(h: DynptrHost, reg: RReg, type: DynptrType, idx: number, cloneRefObjId: number): void {
  const fr = h.cur.frames[reg.frameno];
  const spi = dynptrGetSpi(h, reg);
  if (spi < 0) h.err('verifier internal error: dynptr stack slots not allocated');
  destroyIfDynptrSlot(h, fr, spi);
  destroyIfDynptrSlot(h, fr, spi - 1);
  setSlots(fr, spi, Slot.DYNPTR);
  const id = h.nextId();
  const mk = (first: boolean): Reg => {
    const r = notInit();
    markPtr(r, RegType.CONST_PTR_TO_DYNPTR);
    r.id = id;
    r.dynptrType = type;
    r.off = first ? 0 : 1; // first_slot marker (not an offset: the slot register is never used as a pointer)
    return r;
  };
  fr.ws(spi).spilled = mk(true);
  fr.ws(spi - 1).spilled = mk(false);
  if (type === 'ringbuf') {
    const ref = cloneRefObjId || h.acquireRef(idx);
    fr.ws(spi).spilled.refObjId = ref;
    fr.ws(spi - 1).spilled.refObjId = ref;
  }
}

/** is_dynptr_reg_valid_init */
function isValidInit(h: DynptrHost, reg: RReg): boolean {
  if (reg.type === RegType.CONST_PTR_TO_DYNPTR) return true;
  const { spi } = dynptrSpi(h, reg); // (a bad offset: not an initialised dynptr)
  if (spi < 0) return false;
  const fr = h.cur.frames[reg.frameno];
  if (!slotFirst(fr.stack[spi]) || fr.stack[spi].spilled.type !== RegType.CONST_PTR_TO_DYNPTR) return false;
  for (let i = 0; i < 8; i++) {
    if (fr.stack[spi].types[i] !== Slot.DYNPTR || fr.stack[spi - 1].types[i] !== Slot.DYNPTR) return false;
  }
  return true;
}

/** The state of the initialised dynptr a register points to (a stack dynptr or a const pointer). */
export function dynptrOf(h: DynptrHost, reg: RReg): { id: number; type: DynptrType; refObjId: number } {
  if (reg.type === RegType.CONST_PTR_TO_DYNPTR) return { id: reg.id, type: (reg.dynptrType ?? 'local') as DynptrType, refObjId: reg.refObjId };
  const spi = dynptrGetSpi(h, reg);
  const s = h.cur.frames[reg.frameno].stack[spi].spilled;
  return { id: s.id, type: (s.dynptrType ?? 'local') as DynptrType, refObjId: s.refObjId };
}

/**
 * process_dynptr_func: checks (and for MEM_UNINIT, creates) the dynptr register regno points to.
 * argno is the zero-based argument number the kernel's messages use.
 */
export function processDynptrArg(h: DynptrHost, regno: number, idx: number, spec: DynptrArgSpec): void {
  const reg = h.regs[regno];
  if (reg.type !== RegType.PTR_TO_STACK && reg.type !== RegType.CONST_PTR_TO_DYNPTR) {
    h.err(`arg#${regno - 1} expected pointer to stack or const struct bpf_dynptr`);
  }
  if (reg.type === RegType.CONST_PTR_TO_DYNPTR) {
    // check_func_arg_reg_off (__check_ptr_off_reg): a callback's dynptr pointer is used as given
    if (reg.off < 0) h.err(`negative offset dynptr_ptr ptr R${regno} off=${reg.off} disallowed`);
    if (reg.off) h.err(`dereference of modified dynptr_ptr ptr R${regno} off=${reg.off} disallowed`);
    if (!tnumIsZero(reg.varOff)) h.err(`variable dynptr_ptr access var_off=${tnumStr(reg.varOff)} disallowed`);
  }
  if (spec.uninit) {
    // is_dynptr_reg_valid_uninit
    if (reg.type === RegType.CONST_PTR_TO_DYNPTR || dynptrSpi(h, reg).spi === EINVAL) h.err('Dynptr has to be an uninitialized dynptr');
    for (let i = 0; i < 16; i += 8) h.stackWrite8(regno, i);
    markStackSlotsDynptr(h, h.regs[regno], spec.type ?? 'local', idx, spec.cloneRefObjId ?? 0);
    return;
  }
  if (reg.type === RegType.CONST_PTR_TO_DYNPTR && !spec.rdonly) h.err('cannot pass pointer to const bpf_dynptr, the helper mutates it');
  if (!isValidInit(h, reg)) h.err(`Expected an initialized dynptr as arg #${regno - 1}`);
  if (spec.type && dynptrOf(h, reg).type !== spec.type) h.err(`Expected a dynptr of type ${spec.type} as arg #${regno - 1}`);
}

/**
 * The release side of a helper argument ARG_PTR_TO_DYNPTR | OBJ_RELEASE (check_func_arg): only a
 * referenced dynptr on the stack can be released.
 */
export function checkDynptrReleasable(h: DynptrHost, regno: number): void {
  const reg = h.regs[regno];
  if (reg.type === RegType.PTR_TO_STACK) {
    let spi: number;
    try { spi = dynptrGetSpi(h, reg); } catch { spi = -1; }
    const s = spi >= 0 ? h.cur.frames[reg.frameno].stack[spi] : undefined;
    if (!s || s.types[0] !== Slot.DYNPTR || !s.spilled.refObjId) h.err(`arg ${regno} is an unacquired reference`);
  } else if (reg.type === RegType.CONST_PTR_TO_DYNPTR) {
    h.err('cannot release unowned const bpf_dynptr');
  }
}

/**
 * unmark_stack_slots_dynptr: the dynptr is released (ring buffer submit/discard): its reference,
 * the slices taken from it and its clones go away.
 */
export function releaseDynptr(h: DynptrHost, regno: number): void {
  const reg = h.regs[regno];
  const fr = h.cur.frames[reg.frameno];
  const spi = dynptrGetSpi(h, reg);
  const first = fr.stack[spi].spilled;
  if (first.dynptrType !== 'ringbuf') { invalidateDynptr(fr, spi); return; }
  const ref = first.refObjId;
  // clones share the reference
  for (let i = 1; i < fr.stack.length; i++) {
    const s = fr.stack[i];
    if (s.types[0] === Slot.DYNPTR && s.spilled.refObjId === ref && slotFirst(s)) invalidateDynptr(fr, i);
  }
  h.releaseRef(ref);
}

/** R0 of bpf_dynptr_data: memory of the constant size, maybe NULL, tied to the dynptr. */
export function markDynptrSlice(h: DynptrHost, r0: Reg, size: number, info: { id: number; refObjId: number; type?: DynptrType }, flags: number): void {
  markPtr(r0, RegType.PTR_TO_MEM, flags);
  r0.memSize = size;
  r0.dynptrId = info.id;
  // DYNPTR_TYPE_SKB/XDP on the slice: packet-changing helpers invalidate it
  if (info.type === 'skb' || info.type === 'xdp') r0.dynptrType = info.type;
  r0.refObjId = info.refObjId;
  if (flags & PTR_MAYBE_NULL) r0.id = h.nextId();
}

/** register_is_null */
export function isNullReg(r: RReg): boolean {
  return r.type === RegType.SCALAR_VALUE && tnumIsZero(r.varOff);
}


/** reg_is_dynptr_slice_pkt: a slice of an skb or xdp dynptr */
export function isPktDynptrSlice(r: RReg): boolean {
  return r.type === RegType.PTR_TO_MEM && (r.dynptrType === 'skb' || r.dynptrType === 'xdp');
}

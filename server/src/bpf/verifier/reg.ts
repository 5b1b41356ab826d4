// Register state: the abstract value of one BPF register, as the kernel's struct bpf_reg_state.
//
// Representation (no BigInt on the hot path):
// - each 64-bit bound is two int32 fields, its high and low 32 bits: sminH/sminL, smaxH/smaxL
//   (signed), uminH/uminL, umaxH/umaxL (unsigned). Halves are always stored as signed int32
//   (`x | 0`, small integers for V8); read an unsigned half with `x >>> 0`. A signed 64-bit value
//   compares by its high half as int32, then its low half as uint32; an unsigned one by both halves
//   as uint32 (helpers: slt/sle/ult/ule below). Identical bounds have identical fields.
// - var_off is a Tnum of four int32 halves (tnum.ts).
// - 32-bit bounds are plain numbers: s32min/s32max as int32, u32min/u32max as uint32.
// For pruning: rangeWithin(o, c) and boundsEqual(o, c) compare all bounds (no BigInt); sminOf()...
// give a bound as a BigInt for printing and cold paths, sminNum()... as a double (exact below 2^53).
import type { MapDef } from '../loader/types';
import {
  Tnum, TNUM_UNKNOWN, u64, s64, tnumConst, tnumIsConst, tnumIsUnknown, tnumSubreg,
  tnumIntersect, tnumRange, tnumConstSubreg, tnumStr, tnumValueBig, hiOf, fls64,
} from './tnum';

export const enum RegType {
  NOT_INIT = 0, SCALAR_VALUE, PTR_TO_CTX, CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_STACK,
  PTR_TO_PACKET_META, PTR_TO_PACKET, PTR_TO_PACKET_END, PTR_TO_FLOW_KEYS, PTR_TO_SOCKET, PTR_TO_SOCK_COMMON,
  PTR_TO_TCP_SOCK, PTR_TO_TP_BUFFER, PTR_TO_XDP_SOCK, PTR_TO_BTF_ID, PTR_TO_MEM, PTR_TO_ARENA, PTR_TO_BUF,
  PTR_TO_FUNC, CONST_PTR_TO_DYNPTR,
}

const TYPE_STR = [
  '?', 'scalar', 'ctx', 'map_ptr', 'map_value', 'map_key', 'fp', 'pkt_meta', 'pkt', 'pkt_end', 'flow_keys', 'sock',
  'sock_common', 'tcp_sock', 'tp_buffer', 'xdp_sock', 'ptr_', 'mem', 'arena', 'buf', 'func', 'dynptr_ptr',
];

// Type flags (the kernel's enum bpf_type_flag, without the base-type shift).
export const PTR_MAYBE_NULL = 1 << 0;
export const MEM_RDONLY = 1 << 1;
export const MEM_RINGBUF = 1 << 2;
export const MEM_USER = 1 << 3;
export const MEM_PERCPU = 1 << 4;
export const PTR_UNTRUSTED = 1 << 6;
export const MEM_ALLOC = 1 << 11;
export const PTR_TRUSTED = 1 << 12;
export const MEM_RCU = 1 << 13;
export const NON_OWN_REF = 1 << 14;

export const S32_MIN = -0x8000_0000;
export const S32_MAX = 0x7fff_ffff;
export const U32_MAX = 0xffff_ffff;

// A new field must also be added to notInit, cloneReg and copyRegInto below.
export interface Reg {
  type: RegType;
  flags: number;
  /** fixed offset of a pointer */
  off: number;
  varOff: Tnum;
  /** 64-bit bounds as int32 halves (see the top of this file) */
  sminH: number; sminL: number; smaxH: number; smaxL: number;
  uminH: number; uminL: number; umaxH: number; umaxL: number;
  s32min: number; s32max: number; u32min: number; u32max: number;
  /** identity shared by copies: NULL-check propagation, packet range propagation, scalar links */
  id: number;
  refObjId: number;
  /** packet pointers: bytes known to be accessible past the pointer */
  range: number;
  /** CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY */
  map?: MapDef;
  /** PTR_TO_BTF_ID: type id in the target BTF and its name (for messages) */
  btfId: number;
  btfName?: string;
  /** PTR_TO_MEM / PTR_TO_BUF size */
  memSize: number;
  /** PTR_TO_STACK: the frame it points into; PTR_TO_FUNC: subprogram index */
  frameno: number;
  subprogno: number;
  /** dynptr type / iterator info for stack slots */
  dynptrType?: string;
  /** PTR_TO_MEM slices of a dynptr (bpf_dynptr_data/slice): the dynptr's id */
  dynptrId?: number;
  precise: boolean;
  /** the map value came from a frozen read-only map (contents readable as constants) */
  mapUid?: number;
  /** open-coded iterator slots: state and depth */
  iterState?: 'active' | 'drained';
  iterDepth?: number;
  /** phantom (never set): keeps a read-only RReg from being passed where a writable Reg is needed */
  __ro?: never;
}

/**
 * A register seen through a read-only view (Frame.regs, shared copy-on-write between states, see
 * state.ts): not assignable to Reg, so a write needs the frame's writable copy (Frame.w).
 */
export interface RReg extends Readonly<Omit<Reg, '__ro'>> { readonly __ro?: true }

export function notInit(): Reg {
  return {
    type: RegType.NOT_INIT, flags: 0, off: 0, varOff: TNUM_UNKNOWN,
    sminH: S32_MIN, sminL: 0, smaxH: S32_MAX, smaxL: -1, uminH: 0, uminL: 0, umaxH: -1, umaxL: -1,
    s32min: S32_MIN, s32max: S32_MAX, u32min: 0, u32max: U32_MAX,
    id: 0, refObjId: 0, range: 0, map: undefined, btfId: 0, btfName: undefined, memSize: 0, frameno: 0, subprogno: 0,
    dynptrType: undefined, dynptrId: undefined, precise: false, mapUid: undefined, iterState: undefined, iterDepth: undefined,
  };
}

export function cloneReg(r: RReg): Reg {
  // an explicit literal keeps one hidden class (faster than spread on this hot path)
  return {
    type: r.type, flags: r.flags, off: r.off, varOff: r.varOff,
    sminH: r.sminH, sminL: r.sminL, smaxH: r.smaxH, smaxL: r.smaxL,
    uminH: r.uminH, uminL: r.uminL, umaxH: r.umaxH, umaxL: r.umaxL,
    s32min: r.s32min, s32max: r.s32max, u32min: r.u32min, u32max: r.u32max,
    id: r.id, refObjId: r.refObjId, range: r.range, map: r.map, btfId: r.btfId, btfName: r.btfName,
    memSize: r.memSize, frameno: r.frameno, subprogno: r.subprogno, dynptrType: r.dynptrType, dynptrId: r.dynptrId, precise: r.precise,
    mapUid: r.mapUid, iterState: r.iterState, iterDepth: r.iterDepth,
  };
}

/** dst = src, field by field (Object.assign is several times slower on this hot path) */
export function copyRegInto(d: Reg, r: RReg): void {
  d.type = r.type; d.flags = r.flags; d.off = r.off; d.varOff = r.varOff;
  d.sminH = r.sminH; d.sminL = r.sminL; d.smaxH = r.smaxH; d.smaxL = r.smaxL;
  d.uminH = r.uminH; d.uminL = r.uminL; d.umaxH = r.umaxH; d.umaxL = r.umaxL;
  d.s32min = r.s32min; d.s32max = r.s32max; d.u32min = r.u32min; d.u32max = r.u32max;
  d.id = r.id; d.refObjId = r.refObjId; d.range = r.range; d.map = r.map; d.btfId = r.btfId; d.btfName = r.btfName;
  d.memSize = r.memSize; d.frameno = r.frameno; d.subprogno = r.subprogno; d.dynptrType = r.dynptrType; d.dynptrId = r.dynptrId; d.precise = r.precise;
  d.mapUid = r.mapUid; d.iterState = r.iterState; d.iterDepth = r.iterDepth;
}

export const baseTypeStr = (t: RegType): string => TYPE_STR[t] ?? '?';

/** The kernel's reg_type_str: prefixes for flags, "_or_null" postfix. */
export function regTypeStr(type: RegType, flags: number, btfName?: string): string {
  let prefix = '';
  if (flags & MEM_RDONLY) prefix += 'rdonly_';
  if (flags & MEM_RINGBUF) prefix += 'ringbuf_';
  if (flags & MEM_USER) prefix += 'user_';
  if (flags & MEM_PERCPU) prefix += 'percpu_';
  if (flags & MEM_RCU) prefix += 'rcu_';
  if (flags & PTR_UNTRUSTED) prefix += 'untrusted_';
  if (flags & PTR_TRUSTED) prefix += 'trusted_';
  let postfix = '';
  if (flags & PTR_MAYBE_NULL) postfix = type === RegType.PTR_TO_BTF_ID ? 'or_null_' : '_or_null';
  const base = TYPE_STR[type] ?? '?';
  return prefix + base + postfix + (type === RegType.PTR_TO_BTF_ID && btfName !== undefined ? '' : '');
}

export function isPktPointer(t: RegType): boolean {
  return t === RegType.PTR_TO_PACKET || t === RegType.PTR_TO_PACKET_META;
}

export function isPointer(r: RReg): boolean {
  return r.type !== RegType.SCALAR_VALUE && r.type !== RegType.NOT_INIT;
}

// ---- 64-bit comparisons on halves ----------------------------------------------------------

/** signed a < b, a and b as (high int32, low) halves */
export const slt = (ah: number, al: number, bh: number, bl: number): boolean => ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0));
export const sle = (ah: number, al: number, bh: number, bl: number): boolean => ah < bh || (ah === bh && (al >>> 0) <= (bl >>> 0));
/** unsigned a < b */
export const ult = (ah: number, al: number, bh: number, bl: number): boolean =>
  (ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0));
export const ule = (ah: number, al: number, bh: number, bl: number): boolean =>
  (ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) <= (bl >>> 0));

/** halves to BigInt (printing, cold paths) */
export const bigS = (h: number, l: number): bigint => (BigInt(h | 0) << 32n) | BigInt(l >>> 0);
export const bigU = (h: number, l: number): bigint => (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
/** BigInt (taken modulo 2^64) to its high / low int32 half */
export const hiB = (x: bigint): number => Number(BigInt.asUintN(64, x) >> 32n) | 0;
export const loB = (x: bigint): number => Number(x & 0xffff_ffffn) | 0;

// bounds as BigInts (cold paths, messages) and as doubles (exact when |x| < 2^53; rounding is
// monotone, so comparisons with small limits stay exact)
export const sminOf = (r: RReg): bigint => bigS(r.sminH, r.sminL);
export const smaxOf = (r: RReg): bigint => bigS(r.smaxH, r.smaxL);
export const uminOf = (r: RReg): bigint => bigU(r.uminH, r.uminL);
export const umaxOf = (r: RReg): bigint => bigU(r.umaxH, r.umaxL);
export const sminNum = (r: RReg): number => r.sminH * 4294967296 + (r.sminL >>> 0);
export const smaxNum = (r: RReg): number => r.smaxH * 4294967296 + (r.smaxL >>> 0);
export const uminNum = (r: RReg): number => (r.uminH >>> 0) * 4294967296 + (r.uminL >>> 0);
export const umaxNum = (r: RReg): number => (r.umaxH >>> 0) * 4294967296 + (r.umaxL >>> 0);

/** set the signed 64-bit bounds from BigInts (cold paths) */
export function setSBounds(r: Reg, min: bigint, max: bigint): void {
  r.sminH = hiB(min); r.sminL = loB(min); r.smaxH = hiB(max); r.smaxL = loB(max);
}
export function setUBounds(r: Reg, min: bigint, max: bigint): void {
  r.uminH = hiB(min); r.uminL = loB(min); r.umaxH = hiB(max); r.umaxL = loB(max);
}
/** set the signed 64-bit bounds from integers below 2^53 in magnitude */
export function setSBoundsNum(r: Reg, min: number, max: number): void {
  r.sminH = hiOf(min); r.sminL = min | 0; r.smaxH = hiOf(max); r.smaxL = max | 0;
}
export function setUBoundsNum(r: Reg, min: number, max: number): void {
  r.uminH = hiOf(min); r.uminL = min | 0; r.umaxH = hiOf(max); r.umaxL = max | 0;
}

/** smin === S64_MIN */
export const sminIsMin = (r: RReg): boolean => r.sminH === S32_MIN && r.sminL === 0;
export const smaxIsMax = (r: RReg): boolean => r.smaxH === S32_MAX && r.smaxL === -1;
/** smin < 0 */
export const sminNeg = (r: RReg): boolean => r.sminH < 0;
/** umax fits in 32 bits */
export const umaxIs32 = (r: RReg): boolean => r.umaxH === 0;

/** the 64-bit signed and unsigned bounds of o contain c's (regsafe's range_within, 64-bit part) */
export function rangeWithin64(o: RReg, c: RReg): boolean {
  return ule(o.uminH, o.uminL, c.uminH, c.uminL) && ule(c.umaxH, c.umaxL, o.umaxH, o.umaxL) &&
    sle(o.sminH, o.sminL, c.sminH, c.sminL) && sle(c.smaxH, c.smaxL, o.smaxH, o.smaxL);
}

/** range_within: every bound of o contains c's */
export function rangeWithin(o: RReg, c: RReg): boolean {
  return rangeWithin64(o, c) &&
    o.u32min <= c.u32min && o.u32max >= c.u32max && o.s32min <= c.s32min && o.s32max >= c.s32max;
}

/** the 64-bit bounds are identical */
export function bounds64Equal(a: RReg, b: RReg): boolean {
  return a.sminL === b.sminL && a.sminH === b.sminH && a.smaxL === b.smaxL && a.smaxH === b.smaxH &&
    a.uminL === b.uminL && a.uminH === b.uminH && a.umaxL === b.umaxL && a.umaxH === b.umaxH;
}

/** every bound (64- and 32-bit) is identical */
export function boundsEqual(a: RReg, b: RReg): boolean {
  return bounds64Equal(a, b) && a.s32min === b.s32min && a.s32max === b.s32max && a.u32min === b.u32min && a.u32max === b.u32max;
}

// ---- marking -------------------------------------------------------------------------------

/** __mark_reg_known: a constant 64-bit value given as halves (keeps the type, clears offsets and ids). */
export function markKnown(r: Reg, hi: number, lo: number): void {
  hi |= 0; lo |= 0;
  r.varOff = tnumConst(hi, lo);
  r.off = 0;
  r.sminH = r.smaxH = r.uminH = r.umaxH = hi;
  r.sminL = r.smaxL = r.uminL = r.umaxL = lo;
  r.s32min = r.s32max = lo;
  r.u32min = r.u32max = lo >>> 0;
}

/** markKnown for an integer below 2^53 in magnitude (immediates, offsets) */
export function markKnownNum(r: Reg, v: number): void {
  markKnown(r, hiOf(v), v | 0);
}

/** markKnown from a BigInt taken modulo 2^64 (cold paths) */
export function markKnownBig(r: Reg, v: bigint): void {
  markKnown(r, hiB(v), loB(v));
}

export function markKnownScalar(r: Reg, hi: number, lo: number): void {
  resetToScalar(r);
  markKnown(r, hi, lo);
}

export function markKnownScalarNum(r: Reg, v: number): void {
  resetToScalar(r);
  markKnown(r, hiOf(v), v | 0);
}

export function markKnownScalarBig(r: Reg, v: bigint): void {
  resetToScalar(r);
  markKnown(r, hiB(v), loB(v));
}

/** __mark_reg32_known: constant low 32 bits, upper half unchanged in var_off. */
export function mark32Known(r: Reg, v: number): void {
  r.varOff = tnumConstSubreg(r.varOff, v);
  r.s32min = r.s32max = v | 0;
  r.u32min = r.u32max = v >>> 0;
}

export function mark64Unbounded(r: Reg): void {
  r.sminH = S32_MIN; r.sminL = 0; r.smaxH = S32_MAX; r.smaxL = -1;
  r.uminH = 0; r.uminL = 0; r.umaxH = -1; r.umaxL = -1;
}

export function mark32Unbounded(r: Reg): void {
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
}

export function markUnbounded(r: Reg): void {
  mark64Unbounded(r);
  mark32Unbounded(r);
}

function resetToScalar(r: Reg): void {
  r.type = RegType.SCALAR_VALUE;
  r.flags = 0; r.off = 0; r.id = 0; r.refObjId = 0; r.range = 0; r.map = undefined; r.btfId = 0;
  r.btfName = undefined; r.memSize = 0; r.frameno = 0; r.subprogno = 0; r.dynptrType = undefined; r.dynptrId = undefined;
  r.mapUid = undefined;
}

/** __mark_reg_unknown: an unknown scalar. */
export function markUnknown(r: Reg): void {
  resetToScalar(r);
  r.varOff = TNUM_UNKNOWN;
  r.precise = false;
  markUnbounded(r);
}

export function unknownScalar(): Reg {
  const r = notInit();
  markUnknown(r);
  return r;
}

/** a known scalar from an integer below 2^53 in magnitude */
export function knownScalar(v: number): Reg {
  const r = notInit();
  markKnownScalar(r, hiOf(v), v | 0);
  return r;
}

export function knownScalarBig(v: bigint): Reg {
  const r = notInit();
  markKnownScalarBig(r, v);
  return r;
}

export function markNotInit(r: Reg): void {
  markUnknown(r);
  r.type = RegType.NOT_INIT;
}

/** A pointer of the given type at offset 0, known var_off 0. */
export function markPtr(r: Reg, type: RegType, flags = 0): void {
  resetToScalar(r);
  r.type = type;
  r.flags = flags;
  markKnown(r, 0, 0);
  r.precise = false;
}

// ---- bounds --------------------------------------------------------------------------------

function update32Bounds(r: Reg): void {
  const v = r.varOff.vl, m = r.varOff.ml;
  r.s32min = Math.max(r.s32min, (v | (m & 0x8000_0000)) | 0);
  r.s32max = Math.min(r.s32max, (v | (m & 0x7fff_ffff)) | 0);
  r.u32min = Math.max(r.u32min, v >>> 0);
  r.u32max = Math.min(r.u32max, (v | m) >>> 0);
}

function update64Bounds(r: Reg): void {
  const t = r.varOff;
  // smin = max(smin, value | (mask & sign bit)); smax = min(smax, value | (mask & ~sign bit))
  let h = t.vh | (t.mh & 0x8000_0000), l = t.vl;
  if (slt(r.sminH, r.sminL, h, l)) { r.sminH = h; r.sminL = l; }
  h = t.vh | (t.mh & 0x7fff_ffff); l = t.vl | t.ml;
  if (slt(h, l, r.smaxH, r.smaxL)) { r.smaxH = h; r.smaxL = l; }
  if (ult(r.uminH, r.uminL, t.vh, t.vl)) { r.uminH = t.vh; r.uminL = t.vl; }
  h = t.vh | t.mh;
  if (ult(h, l, r.umaxH, r.umaxL)) { r.umaxH = h; r.umaxL = l; }
}

export function updateRegBounds(r: Reg): void {
  update32Bounds(r);
  update64Bounds(r);
}

function deduce32(r: Reg): void {
  const uminLo = r.uminL >>> 0, umaxLo = r.umaxL >>> 0, sminLo = r.sminL >>> 0, smaxLo = r.smaxL >>> 0;
  const uminHi = r.uminH, umaxHi = r.umaxH, sminHi = r.sminH, smaxHi = r.smaxH;
  if (uminHi === umaxHi) {
    r.u32min = Math.max(r.u32min, uminLo);
    r.u32max = Math.min(r.u32max, umaxLo);
    if ((uminLo | 0) <= (umaxLo | 0)) {
      r.s32min = Math.max(r.s32min, uminLo | 0);
      r.s32max = Math.min(r.s32max, umaxLo | 0);
    }
  }
  if (sminHi === smaxHi) {
    if (sminLo <= smaxLo) {
      r.u32min = Math.max(r.u32min, sminLo);
      r.u32max = Math.min(r.u32max, smaxLo);
    }
    if ((sminLo | 0) <= (smaxLo | 0)) {
      r.s32min = Math.max(r.s32min, sminLo | 0);
      r.s32max = Math.min(r.s32max, smaxLo | 0);
    }
  }
  if (((uminHi + 1) | 0) === umaxHi && (uminLo | 0) < 0 && (umaxLo | 0) >= 0) {
    r.s32min = Math.max(r.s32min, uminLo | 0);
    r.s32max = Math.min(r.s32max, umaxLo | 0);
  }
  if (((sminHi + 1) | 0) === smaxHi && (sminLo | 0) < 0 && (smaxLo | 0) >= 0) {
    r.s32min = Math.max(r.s32min, sminLo | 0);
    r.s32max = Math.min(r.s32max, smaxLo | 0);
  }
  if ((r.u32min | 0) <= (r.u32max | 0)) {
    r.s32min = Math.max(r.s32min, r.u32min | 0);
    r.s32max = Math.min(r.s32max, r.u32max | 0);
  }
  if (r.s32min >>> 0 <= r.s32max >>> 0) {
    r.u32min = Math.max(r.s32min >>> 0, r.u32min);
    r.u32max = Math.min(r.s32max >>> 0, r.u32max);
  } else if (r.u32max < r.s32min >>> 0) {
    r.s32min = r.u32min | 0;
    r.u32max = Math.min(r.u32max, r.s32max >>> 0);
  } else if (r.s32max >>> 0 < r.u32min) {
    r.s32max = r.u32max | 0;
    r.u32min = Math.max(r.u32min, r.s32min >>> 0);
  }
}

function deduce64(r: Reg): void {
  // the same bits read as signed: umin <= umax as signed means the unsigned range does not cross
  // the sign boundary
  if (sle(r.uminH, r.uminL, r.umaxH, r.umaxL)) {
    if (slt(r.sminH, r.sminL, r.uminH, r.uminL)) { r.sminH = r.uminH; r.sminL = r.uminL; }
    if (slt(r.umaxH, r.umaxL, r.smaxH, r.smaxL)) { r.smaxH = r.umaxH; r.smaxL = r.umaxL; }
  }
  if (ule(r.sminH, r.sminL, r.smaxH, r.smaxL)) {
    if (ult(r.uminH, r.uminL, r.sminH, r.sminL)) { r.uminH = r.sminH; r.uminL = r.sminL; }
    if (ult(r.smaxH, r.smaxL, r.umaxH, r.umaxL)) { r.umaxH = r.smaxH; r.umaxL = r.smaxL; }
  } else if (ult(r.umaxH, r.umaxL, r.sminH, r.sminL)) {
    r.sminH = r.uminH; r.sminL = r.uminL;
    if (ult(r.smaxH, r.smaxL, r.umaxH, r.umaxL)) { r.umaxH = r.smaxH; r.umaxL = r.smaxL; }
  } else if (ult(r.smaxH, r.smaxL, r.uminH, r.uminL)) {
    r.smaxH = r.umaxH; r.smaxL = r.umaxL;
    if (ult(r.uminH, r.uminL, r.sminH, r.sminL)) { r.uminH = r.sminH; r.uminL = r.sminL; }
  }
}

/** raise the low half of a bound to at least lo (same high half); lower it to at most hi */
function deduceMixed(r: Reg): void {
  // new_umin = (umin & ~0xffffffff) | u32_min keeps umin's high half, so max(umin, new_umin)
  // compares low halves only; likewise for the other three bounds
  let lo = r.u32min, hi = r.u32max;
  if (lo > r.uminL >>> 0) r.uminL = lo | 0;
  if (hi < r.umaxL >>> 0) r.umaxL = hi | 0;
  if (lo > r.sminL >>> 0) r.sminL = lo | 0;
  if (hi < r.smaxL >>> 0) r.smaxL = hi | 0;
  if (r.s32min >>> 0 <= r.s32max >>> 0) {
    lo = r.s32min >>> 0; hi = r.s32max >>> 0;
    if (lo > r.uminL >>> 0) r.uminL = lo | 0;
    if (hi < r.umaxL >>> 0) r.umaxL = hi | 0;
    if (lo > r.sminL >>> 0) r.sminL = lo | 0;
    if (hi < r.smaxL >>> 0) r.smaxL = hi | 0;
  }
  // s32 range non-negative and the 64-bit signed range within s32: the value is the 32-bit one
  if (r.s32min >= 0 && (r.sminH >= 0 || (r.sminH === -1 && r.sminL < 0)) && (r.smaxH < 0 || (r.smaxH === 0 && r.smaxL >= 0))) {
    const maxH = r.s32max >> 31; // 0 unless the 32-bit bounds are contradictory
    r.sminH = 0; r.sminL = r.s32min; r.smaxH = maxH; r.smaxL = r.s32max;
    r.uminH = 0; r.uminL = r.s32min; r.umaxH = maxH; r.umaxL = r.s32max;
    // var_off = intersect(var_off, range(umin, umax)); a new Tnum only when it changes
    const t = r.varOff;
    const bits = fls64(maxH, r.s32min ^ r.s32max);
    if (bits > 32) {
      // only with contradictory 32-bit bounds: the range of (0, s32min)..(maxH, s32max) as a tnum
      r.varOff = tnumIntersect(t, tnumRange(0, r.s32min, maxH, r.s32max));
      return;
    }
    const rml = bits === 0 ? 0 : bits < 32 ? (1 << bits) - 1 : -1;
    const rvl = r.s32min & ~rml;
    const ml = t.ml & rml, vl = (t.vl | rvl) & ~ml;
    // the range's high half is known (zero): the intersection's high half is t's known bits
    if (t.mh !== 0 || ml !== t.ml || vl !== t.vl) r.varOff = { vh: t.vh, vl, mh: 0, ml };
  }
}

function deduceBounds(r: Reg): void {
  deduce32(r);
  deduce64(r);
  deduceMixed(r);
}

function boundOffset(r: Reg): void {
  // var_off = intersect(var_off, range(umin, umax)), then its low half intersected with
  // range(u32min, u32max); computed on the halves, a new Tnum only when something changes
  const t = r.varOff;
  let bits = fls64(r.uminH ^ r.umaxH, r.uminL ^ r.umaxL);
  let rvh = 0, rvl = 0, rmh = -1, rml = -1;
  if (bits <= 63) {
    if (bits === 0) { rmh = 0; rml = 0; } else if (bits < 32) { rmh = 0; rml = (1 << bits) - 1; } else if (bits === 32) { rmh = 0; rml = -1; } else {
      rmh = (1 << (bits - 32)) - 1; rml = -1;
    }
    rvh = r.uminH & ~rmh; rvl = r.uminL & ~rml;
  }
  const mh = t.mh & rmh;
  let ml = t.ml & rml;
  const vh = (t.vh | rvh) & ~mh;
  let vl = (t.vl | rvl) & ~ml;
  bits = fls64(0, r.u32min ^ r.u32max);
  const m32 = bits === 0 ? 0 : bits < 32 ? (1 << bits) - 1 : -1;
  const v32 = r.u32min & ~m32;
  ml &= m32;
  vl = (vl | v32) & ~ml;
  if (vh !== t.vh || vl !== t.vl || mh !== t.mh || ml !== t.ml) r.varOff = { vh, vl, mh, ml };
}

/** the bounds (without var_off) as they were before a deduction round, to detect a fixed point */
let P0 = 0, P1 = 0, P2 = 0, P3 = 0, P4 = 0, P5 = 0, P6 = 0, P7 = 0, P8 = 0, P9 = 0, P10 = 0, P11 = 0;
function saveBounds(r: Reg): void {
  P0 = r.sminH; P1 = r.sminL; P2 = r.smaxH; P3 = r.smaxL; P4 = r.uminH; P5 = r.uminL; P6 = r.umaxH; P7 = r.umaxL;
  P8 = r.s32min; P9 = r.s32max; P10 = r.u32min; P11 = r.u32max;
}
function boundsSame(r: Reg): boolean {
  return P0 === r.sminH && P1 === r.sminL && P2 === r.smaxH && P3 === r.smaxL && P4 === r.uminH && P5 === r.uminL &&
    P6 === r.umaxH && P7 === r.umaxL && P8 === r.s32min && P9 === r.s32max && P10 === r.u32min && P11 === r.u32max;
}

/** reg_bounds_sync: make tnum, 64- and 32-bit signed and unsigned bounds agree. */
export function regBoundsSync(r: Reg): void {
  // Constants are the hot case and already consistent.
  const t = r.varOff;
  if ((t.mh | t.ml) === 0 && r.uminH === r.umaxH && r.uminL === r.umaxL && r.uminH === t.vh && r.uminL === t.vl) {
    r.sminH = r.smaxH = t.vh; r.sminL = r.smaxL = t.vl;
    r.s32min = r.s32max = t.vl;
    r.u32min = r.u32max = t.vl >>> 0;
    return;
  }
  updateRegBounds(r);
  // the kernel runs three rounds; a round that changes nothing (bounds and var_off) is a fixed
  // point, so the rounds after it would change nothing either
  for (let i = 0; i < 3; i++) {
    saveBounds(r);
    const t = r.varOff;
    deduceBounds(r);
    if (r.varOff === t && boundsSame(r)) break;
  }
  boundOffset(r);
  updateRegBounds(r);
}

/** Whether bounds are self-contradictory (an impossible branch). */
export function regBoundsInvalid(r: RReg): boolean {
  return ult(r.umaxH, r.umaxL, r.uminH, r.uminL) || slt(r.smaxH, r.smaxL, r.sminH, r.sminL) ||
    r.u32min > r.u32max || r.s32min > r.s32max;
}

/** zext_32_to_64 after a 32-bit ALU op. */
export function zext32To64(r: Reg): void {
  r.varOff = tnumSubreg(r.varOff);
  // __reg_assign_32_into_64
  r.uminH = 0; r.uminL = r.u32min | 0;
  r.umaxH = 0; r.umaxL = r.u32max | 0;
  if (r.s32min >= 0 && r.s32max >= 0) {
    r.sminH = 0; r.sminL = r.s32min;
    r.smaxH = 0; r.smaxL = r.s32max;
  } else {
    r.sminH = 0; r.sminL = 0;
    r.smaxH = 0; r.smaxL = -1;
  }
}

/** Sign-extend the low `size` bytes (coerce_reg_to_size_sx / coerce_subreg_to_size_sx). */
export function coerceToSize(r: Reg, size: number): void {
  if (size >= 8) return;
  const m = size >= 4 ? -1 : (1 << (size * 8)) - 1;
  r.varOff = { vh: 0, vl: r.varOff.vl & m, mh: 0, ml: r.varOff.ml & m };
  if (r.uminH === r.umaxH && (r.uminL & ~m) === (r.umaxL & ~m)) {
    r.uminH = 0; r.uminL &= m;
    r.umaxH = 0; r.umaxL &= m;
  } else {
    r.uminH = 0; r.uminL = 0;
    r.umaxH = 0; r.umaxL = m;
  }
  r.sminH = r.uminH; r.sminL = r.uminL;
  r.smaxH = r.umaxH; r.smaxL = r.umaxL;
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
  regBoundsSync(r);
}

export function isConst(r: RReg): boolean {
  return r.type === RegType.SCALAR_VALUE && tnumIsConst(r.varOff);
}

export function isSubregConst(r: RReg): boolean {
  return r.varOff.ml === 0;
}

/** the constant value as an unsigned BigInt (cold paths) */
export function constValue(r: RReg): bigint {
  return tnumValueBig(r.varOff);
}

// ---- printing (kernel log format) ---------------------------------------------------------

export function snum(n: bigint): string {
  return n >= -32768n && n <= 32767n ? n.toString() : '0x' + u64(n).toString(16);
}

export function unum(n: bigint): string {
  return n <= 65535n ? n.toString() : '0x' + n.toString(16);
}

function scalarRanges(r: RReg): string[] {
  const s32dec = (v: number): bigint => (v >= -32768 && v <= 32767 ? BigInt(v) : BigInt(v >>> 0));
  const smin = sminOf(r), smax = smaxOf(r), umin = uminOf(r), umax = umaxOf(r);
  const mm = [
    { name: 'smin', val: u64(smin), sval: smin, omit: sminIsMin(r) },
    { name: 'smax', val: u64(smax), sval: smax, omit: smaxIsMax(r) },
    { name: 'umin', val: umin, sval: umin, omit: umin === 0n },
    { name: 'umax', val: umax, sval: umax, omit: umax === 0xffff_ffff_ffff_ffffn },
    { name: 'smin32', val: u64(s32dec(r.s32min)), sval: s32dec(r.s32min), omit: r.s32min === S32_MIN },
    { name: 'smax32', val: u64(s32dec(r.s32max)), sval: s32dec(r.s32max), omit: r.s32max === S32_MAX },
    { name: 'umin32', val: BigInt(r.u32min), sval: BigInt(r.u32min), omit: r.u32min === 0 },
    { name: 'umax32', val: BigInt(r.u32max), sval: BigInt(r.u32max), omit: r.u32max === U32_MAX },
  ];
  const out: string[] = [];
  for (let i = 0; i < mm.length; i++) {
    const m1 = mm[i];
    if (m1.omit) continue;
    const neg1 = m1.name[0] === 's' && s64(m1.val) < 0n;
    let s = m1.name + '=';
    for (let j = i + 2; j < mm.length; j += 2) {
      const m2 = mm[j];
      if (m2.omit || m2.val !== m1.val) continue;
      const neg2 = m2.name[0] === 's' && s64(m2.val) < 0n;
      if (neg1 !== neg2) continue;
      m2.omit = true;
      s += m2.name + '=';
    }
    s += m1.name[0] === 's' ? snum(s64(m1.val)) : unum(m1.val);
    out.push(s);
  }
  return out;
}

/** print_reg_state: e.g. "ctx()", "scalar(umax=255,var_off=(0x0; 0xff))", "fp-8", "42". */
export function regStr(r: RReg, curFrame: number): string {
  const t = r.type;
  let p = t === RegType.SCALAR_VALUE && r.precise ? 'P' : '';
  if (t === RegType.SCALAR_VALUE && tnumIsConst(r.varOff)) return p + snum(s64(tnumValueBig(r.varOff)));
  p += regTypeStr(t, r.flags);
  if (t === RegType.PTR_TO_ARENA) return p;
  if (t === RegType.PTR_TO_STACK) {
    if (curFrame !== r.frameno) p += `[${r.frameno}]`;
    if (tnumIsConst(r.varOff)) return p + snum(s64(tnumValueBig(r.varOff)) + BigInt(r.off));
  }
  if (t === RegType.PTR_TO_BTF_ID) p += r.btfName ?? '';
  const parts: string[] = [];
  // a scalar linked with an added constant (linked.ts ADD_CONST64/32, bits 30 and 29): id=N+off
  if (r.id) parts.push(r.id & 0x60000000 ? `id=${r.id & ~0x60000000}${r.off >= 0 ? '+' : ''}${r.off}` : `id=${r.id}`);
  if (r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
  if ((t === RegType.CONST_PTR_TO_MAP || t === RegType.PTR_TO_MAP_KEY || t === RegType.PTR_TO_MAP_VALUE) && r.map) {
    if (r.map.name) parts.push(`map=${r.map.name.slice(0, 15)}`);
    parts.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (t !== RegType.SCALAR_VALUE && r.off) parts.push(`off=${snum(BigInt(r.off))}`);
  if (isPktPointer(t)) parts.push(`r=${unum(BigInt(r.range))}`);
  if (t === RegType.PTR_TO_MEM) parts.push(`sz=${unum(BigInt(r.memSize))}`);
  if (t === RegType.CONST_PTR_TO_DYNPTR) parts.push(`type=${r.dynptrType ?? 'local'}`);
  if (tnumIsConst(r.varOff)) {
    if (r.varOff.vh | r.varOff.vl) parts.push(`imm=${snum(s64(tnumValueBig(r.varOff)))}`);
  } else {
    parts.push(...scalarRanges(r));
    if (!tnumIsUnknown(r.varOff)) parts.push(`var_off=${tnumStr(r.varOff)}`);
  }
  return `${p}(${parts.join(',')})`;
}

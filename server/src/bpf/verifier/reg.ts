// Register state: the abstract value of one BPF register, as the kernel's struct bpf_reg_state.
// 64-bit bounds are BigInts (signed smin/smax, unsigned umin/umax); 32-bit bounds are plain
// numbers (s32 as signed int32, u32 as uint32), which JavaScript represents exactly.
import type { MapDef } from '../loader/types';
import {
  Tnum, TNUM_UNKNOWN, U64_MAX, U32_MAX_N, S64_MIN, S64_MAX, u64, s64, tnumConst, tnumIsConst, tnumIsUnknown, tnumSubreg,
  tnumIntersect, tnumRange, tnumOr, tnumClearSubreg, tnumConstSubreg, tnumStr,
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

export interface Reg {
  type: RegType;
  flags: number;
  /** fixed offset of a pointer */
  off: number;
  varOff: Tnum;
  smin: bigint; smax: bigint; umin: bigint; umax: bigint;
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
  precise: boolean;
  /** the map value came from a frozen read-only map (contents readable as constants) */
  mapUid?: number;
  /** open-coded iterator slots: state and depth */
  iterState?: 'active' | 'drained';
  iterDepth?: number;
}

export function notInit(): Reg {
  return {
    type: RegType.NOT_INIT, flags: 0, off: 0, varOff: TNUM_UNKNOWN,
    smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX,
    s32min: S32_MIN, s32max: S32_MAX, u32min: 0, u32max: U32_MAX,
    id: 0, refObjId: 0, range: 0, map: undefined, btfId: 0, btfName: undefined, memSize: 0, frameno: 0, subprogno: 0,
    dynptrType: undefined, precise: false, mapUid: undefined, iterState: undefined, iterDepth: undefined,
  };
}

export function cloneReg(r: Reg): Reg {
  // an explicit literal keeps one hidden class (faster than spread on this hot path)
  return {
    type: r.type, flags: r.flags, off: r.off, varOff: r.varOff,
    smin: r.smin, smax: r.smax, umin: r.umin, umax: r.umax,
    s32min: r.s32min, s32max: r.s32max, u32min: r.u32min, u32max: r.u32max,
    id: r.id, refObjId: r.refObjId, range: r.range, map: r.map, btfId: r.btfId, btfName: r.btfName,
    memSize: r.memSize, frameno: r.frameno, subprogno: r.subprogno, dynptrType: r.dynptrType, precise: r.precise,
    mapUid: r.mapUid, iterState: r.iterState, iterDepth: r.iterDepth,
  };
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

export function isPointer(r: Reg): boolean {
  return r.type !== RegType.SCALAR_VALUE && r.type !== RegType.NOT_INIT;
}

// ---- marking -------------------------------------------------------------------------------

/** __mark_reg_known: a constant 64-bit value (keeps the type, clears offsets and ids). */
export function markKnown(r: Reg, v: bigint): void {
  const x = u64(v);
  r.varOff = tnumConst(x);
  r.off = 0;
  r.smin = r.smax = s64(x);
  r.umin = r.umax = x;
  const lo = Number(x & 0xffff_ffffn);
  r.s32min = r.s32max = lo | 0;
  r.u32min = r.u32max = lo >>> 0;
}

export function markKnownScalar(r: Reg, v: bigint): void {
  resetToScalar(r);
  markKnown(r, v);
}

/** __mark_reg32_known: constant low 32 bits, upper half unchanged in var_off. */
export function mark32Known(r: Reg, v: number): void {
  r.varOff = tnumConstSubreg(r.varOff, v);
  r.s32min = r.s32max = v | 0;
  r.u32min = r.u32max = v >>> 0;
}

export function markUnbounded(r: Reg): void {
  r.smin = S64_MIN; r.smax = S64_MAX; r.umin = 0n; r.umax = U64_MAX;
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
}

export function mark64Unbounded(r: Reg): void {
  r.smin = S64_MIN; r.smax = S64_MAX; r.umin = 0n; r.umax = U64_MAX;
}

export function mark32Unbounded(r: Reg): void {
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
}

function resetToScalar(r: Reg): void {
  r.type = RegType.SCALAR_VALUE;
  r.flags = 0; r.off = 0; r.id = 0; r.refObjId = 0; r.range = 0; r.map = undefined; r.btfId = 0;
  r.btfName = undefined; r.memSize = 0; r.frameno = 0; r.subprogno = 0; r.dynptrType = undefined;
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

export function knownScalar(v: bigint): Reg {
  const r = notInit();
  markKnownScalar(r, v);
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
  markKnown(r, 0n);
  r.precise = false;
}

// ---- bounds --------------------------------------------------------------------------------

const lo32 = (x: bigint): number => Number(x & 0xffff_ffffn);
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function update32Bounds(r: Reg): void {
  const t = tnumSubreg(r.varOff);
  const v = Number(t.value), m = Number(t.mask);
  r.s32min = Math.max(r.s32min, (v | (m & 0x8000_0000)) | 0);
  r.s32max = Math.min(r.s32max, (v | (m & 0x7fff_ffff)) | 0);
  r.u32min = Math.max(r.u32min, v >>> 0);
  r.u32max = Math.min(r.u32max, (v | m) >>> 0);
}

function update64Bounds(r: Reg): void {
  const v = r.varOff.value, m = r.varOff.mask;
  r.smin = bmax(r.smin, s64(v | (m & 0x8000_0000_0000_0000n)));
  r.smax = bmin(r.smax, s64(v | (m & 0x7fff_ffff_ffff_ffffn)));
  r.umin = bmax(r.umin, v);
  r.umax = bmin(r.umax, v | m);
}

export function updateRegBounds(r: Reg): void {
  update32Bounds(r);
  update64Bounds(r);
}

function deduce32(r: Reg): void {
  // the 64-bit bounds do not change here: split each into 32-bit halves once (BigInt operations
  // allocate, and this runs after every ALU op and branch)
  const uminLo = lo32(r.umin), umaxLo = lo32(r.umax), sminLo = lo32(r.smin), smaxLo = lo32(r.smax);
  const uminHi = lo32(r.umin >> 32n), umaxHi = lo32(r.umax >> 32n), sminHi = lo32(r.smin >> 32n), smaxHi = lo32(r.smax >> 32n);
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
  if (((uminHi + 1) >>> 0) === umaxHi && (uminLo | 0) < 0 && (umaxLo | 0) >= 0) {
    r.s32min = Math.max(r.s32min, uminLo | 0);
    r.s32max = Math.min(r.s32max, umaxLo | 0);
  }
  if (((sminHi + 1) >>> 0) === smaxHi && (sminLo | 0) < 0 && (smaxLo | 0) >= 0) {
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
  if (s64(r.umin) <= s64(r.umax)) {
    r.smin = bmax(r.smin, s64(r.umin));
    r.smax = bmin(r.smax, s64(r.umax));
  }
  if (u64(r.smin) <= u64(r.smax)) {
    r.umin = bmax(u64(r.smin), r.umin);
    r.umax = bmin(u64(r.smax), r.umax);
  } else if (r.umax < u64(r.smin)) {
    r.smin = s64(r.umin);
    r.umax = bmin(r.umax, u64(r.smax));
  } else if (u64(r.smax) < r.umin) {
    r.smax = s64(r.umax);
    r.umin = bmax(r.umin, u64(r.smin));
  }
}

const HI_MASK = 0xffff_ffff_0000_0000n;

function deduceMixed(r: Reg): void {
  if (r.umin <= U32_MAX_N && r.umax <= U32_MAX_N && r.smin >= 0n && r.smin <= U32_MAX_N && r.smax >= 0n && r.smax <= U32_MAX_N) {
    // the common case (counters, lengths, bytes): every 64-bit bound has zero upper 32 bits, so
    // combining them with the 32-bit bounds needs no masking (and stays in this range)
    const lo = BigInt(r.u32min), hi = BigInt(r.u32max);
    r.umin = bmax(r.umin, lo);
    r.umax = bmin(r.umax, hi);
    r.smin = bmax(r.smin, lo);
    r.smax = bmin(r.smax, hi);
    if (r.s32min >>> 0 <= r.s32max >>> 0) {
      const slo = BigInt(r.s32min >>> 0), shi = BigInt(r.s32max >>> 0);
      r.umin = bmax(r.umin, slo);
      r.umax = bmin(r.umax, shi);
      r.smin = bmax(r.smin, slo);
      r.smax = bmin(r.smax, shi);
    }
  } else {
    let nUmin = (r.umin & HI_MASK) | BigInt(r.u32min);
    let nUmax = (r.umax & HI_MASK) | BigInt(r.u32max);
    r.umin = bmax(r.umin, nUmin);
    r.umax = bmin(r.umax, nUmax);
    let nSmin = s64((u64(r.smin) & HI_MASK) | BigInt(r.u32min));
    let nSmax = s64((u64(r.smax) & HI_MASK) | BigInt(r.u32max));
    r.smin = bmax(r.smin, nSmin);
    r.smax = bmin(r.smax, nSmax);
    if (r.s32min >>> 0 <= r.s32max >>> 0) {
      nUmin = (r.umin & HI_MASK) | BigInt(r.s32min >>> 0);
      nUmax = (r.umax & HI_MASK) | BigInt(r.s32max >>> 0);
      r.umin = bmax(r.umin, nUmin);
      r.umax = bmin(r.umax, nUmax);
      nSmin = s64((u64(r.smin) & HI_MASK) | BigInt(r.s32min >>> 0));
      nSmax = s64((u64(r.smax) & HI_MASK) | BigInt(r.s32max >>> 0));
      r.smin = bmax(r.smin, nSmin);
      r.smax = bmin(r.smax, nSmax);
    }
  }
  if (r.s32min >= 0 && r.smin >= BigInt(S32_MIN) && r.smax <= BigInt(S32_MAX)) {
    r.smin = BigInt(r.s32min);
    r.smax = BigInt(r.s32max);
    r.umin = BigInt(r.s32min);
    r.umax = BigInt(r.s32max);
    r.varOff = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  }
}

function deduceBounds(r: Reg): void {
  deduce32(r);
  deduce64(r);
  deduceMixed(r);
}

function boundOffset(r: Reg): void {
  const v64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const v32 = tnumIntersect(tnumSubreg(v64), tnumRange(BigInt(r.u32min), BigInt(r.u32max)));
  r.varOff = tnumOr(tnumClearSubreg(v64), v32);
}

/** reg_bounds_sync: make tnum, 64- and 32-bit signed and unsigned bounds agree. */
export function regBoundsSync(r: Reg): void {
  // Constants are the hot case and already consistent.
  if (tnumIsConst(r.varOff) && r.umin === r.umax && r.umin === r.varOff.value) {
    const lo = lo32(r.umin);
    r.smin = r.smax = s64(r.umin);
    r.s32min = r.s32max = lo | 0;
    r.u32min = r.u32max = lo;
    return;
  }
  updateRegBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  boundOffset(r);
  updateRegBounds(r);
}

/** Whether bounds are self-contradictory (an impossible branch). */
export function regBoundsInvalid(r: Reg): boolean {
  return r.umin > r.umax || r.smin > r.smax || r.u32min > r.u32max || r.s32min > r.s32max;
}

/** zext_32_to_64 after a 32-bit ALU op. */
export function zext32To64(r: Reg): void {
  r.varOff = tnumSubreg(r.varOff);
  // __reg_assign_32_into_64
  r.umin = BigInt(r.u32min);
  r.umax = BigInt(r.u32max);
  if (r.s32min >= 0 && r.s32max >= 0) {
    r.smin = BigInt(r.s32min);
    r.smax = BigInt(r.s32max);
  } else {
    r.smin = 0n;
    r.smax = BigInt(U32_MAX);
  }
}

/** Sign-extend the low `size` bytes (coerce_reg_to_size_sx / coerce_subreg_to_size_sx). */
export function coerceToSize(r: Reg, size: number): void {
  if (size >= 8) return;
  const bits = BigInt(size * 8);
  const m = (1n << bits) - 1n;
  r.varOff = { value: r.varOff.value & m, mask: r.varOff.mask & m };
  if ((r.umin & ~m) === (r.umax & ~m)) {
    r.umin &= m;
    r.umax &= m;
  } else {
    r.umin = 0n;
    r.umax = m;
  }
  r.smin = r.umin;
  r.smax = r.umax;
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
  regBoundsSync(r);
}

export function isConst(r: Reg): boolean {
  return r.type === RegType.SCALAR_VALUE && tnumIsConst(r.varOff);
}

export function isSubregConst(r: Reg): boolean {
  return tnumSubreg(r.varOff).mask === 0n;
}

export function constValue(r: Reg): bigint {
  return r.varOff.value;
}

// ---- printing (kernel log format) ---------------------------------------------------------

export function snum(n: bigint): string {
  return n >= -32768n && n <= 32767n ? n.toString() : '0x' + u64(n).toString(16);
}

export function unum(n: bigint): string {
  return n <= 65535n ? n.toString() : '0x' + n.toString(16);
}

function scalarRanges(r: Reg): string[] {
  const s32dec = (v: number): bigint => (v >= -32768 && v <= 32767 ? BigInt(v) : BigInt(v >>> 0));
  const mm = [
    { name: 'smin', val: u64(r.smin), sval: r.smin, omit: r.smin === S64_MIN },
    { name: 'smax', val: u64(r.smax), sval: r.smax, omit: r.smax === S64_MAX },
    { name: 'umin', val: r.umin, sval: r.umin, omit: r.umin === 0n },
    { name: 'umax', val: r.umax, sval: r.umax, omit: r.umax === U64_MAX },
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
export function regStr(r: Reg, curFrame: number): string {
  const t = r.type;
  let p = t === RegType.SCALAR_VALUE && r.precise ? 'P' : '';
  if (t === RegType.SCALAR_VALUE && tnumIsConst(r.varOff)) return p + snum(s64(r.varOff.value));
  p += regTypeStr(t, r.flags);
  if (t === RegType.PTR_TO_ARENA) return p;
  if (t === RegType.PTR_TO_STACK) {
    if (curFrame !== r.frameno) p += `[${r.frameno}]`;
    if (tnumIsConst(r.varOff)) return p + snum(s64(r.varOff.value) + BigInt(r.off));
  }
  if (t === RegType.PTR_TO_BTF_ID) p += r.btfName ?? '';
  const parts: string[] = [];
  if (r.id) parts.push(`id=${r.id}`);
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
    if (r.varOff.value) parts.push(`imm=${snum(s64(r.varOff.value))}`);
  } else {
    parts.push(...scalarRanges(r));
    if (!tnumIsUnknown(r.varOff)) parts.push(`var_off=${tnumStr(r.varOff)}`);
  }
  return `${p}(${parts.join(',')})`;
}

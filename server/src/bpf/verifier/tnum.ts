// Tracked numbers ("tnums"): a 64-bit value of which some bits are known and some unknown, the
// kernel's abstraction for bit-level knowledge of scalars (kernel/bpf/tnum.c). Bits set in `mask`
// are unknown; `value` holds the known bits (and is 0 where mask is 1).
//
// Representation: each 64-bit word as two int32 halves (vh/vl: value high/low 32 bits, mh/ml: mask
// high/low), always stored as signed int32 (`x | 0`) so V8 keeps them as small integers (no heap
// numbers, no BigInt allocation). Read an unsigned half with `x >>> 0`. The algorithms are the
// kernel's, carried out on the halves (add/sub with carry, shifts across the halves).
// BigInt appears only in the conversion helpers for printing and cold paths (tnumValueBig, ...).

export interface Tnum { readonly vh: number; readonly vl: number; readonly mh: number; readonly ml: number }

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
export const U32_MAX_N = 0xffff_ffffn;
export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;

export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

export const TNUM_UNKNOWN: Tnum = { vh: 0, vl: 0, mh: -1, ml: -1 };
export const TNUM_ZERO: Tnum = { vh: 0, vl: 0, mh: 0, ml: 0 };
/** an unknown low half, known-zero high half (tnum_subreg of unknown) */
export const TNUM_UNKNOWN32: Tnum = { vh: 0, vl: 0, mh: 0, ml: -1 };

export function tnum(vh: number, vl: number, mh: number, ml: number): Tnum {
  return { vh: vh | 0, vl: vl | 0, mh: mh | 0, ml: ml | 0 };
}

/** tnums are immutable: the small constants are shared */
const SMALL_CONSTS: Tnum[] = Array.from({ length: 256 }, (_, i) => ({ vh: 0, vl: i, mh: 0, ml: 0 }));

/** a known 64-bit constant given as its halves */
export function tnumConst(hi: number, lo: number): Tnum {
  if (hi === 0 && lo >= 0 && lo < 256) return SMALL_CONSTS[lo];
  return { vh: hi | 0, vl: lo | 0, mh: 0, ml: 0 };
}

/** a known constant from a (possibly negative) integer below 2^53 in magnitude, e.g. an imm or offset */
export function tnumConstNum(v: number): Tnum {
  return { vh: hiOf(v), vl: v | 0, mh: 0, ml: 0 };
}

/** cold paths only: a known constant from a BigInt (taken modulo 2^64) */
export function tnumConstBig(v: bigint): Tnum {
  const x = BigInt.asUintN(64, v);
  return { vh: Number(x >> 32n) | 0, vl: Number(x & 0xffff_ffffn) | 0, mh: 0, ml: 0 };
}

/** the high 32 bits (as int32) of the two's complement 64-bit form of an integer |v| < 2^53 */
export function hiOf(v: number): number {
  return Math.floor(v / 4294967296) | 0;
}

export function tnumIsConst(a: Tnum): boolean {
  return (a.mh | a.ml) === 0;
}

export function tnumIsUnknown(a: Tnum): boolean {
  return (a.mh & a.ml) === -1;
}

/** a constant zero */
export function tnumIsZero(a: Tnum): boolean {
  return (a.mh | a.ml | a.vh | a.vl) === 0;
}

export function tnumEquals(a: Tnum, b: Tnum): boolean {
  return a.vl === b.vl && a.vh === b.vh && a.ml === b.ml && a.mh === b.mh;
}

/** the value as an unsigned BigInt (printing, cold paths) */
export function tnumValueBig(a: Tnum): bigint {
  return (BigInt(a.vh >>> 0) << 32n) | BigInt(a.vl >>> 0);
}

export function tnumMaskBig(a: Tnum): bigint {
  return (BigInt(a.mh >>> 0) << 32n) | BigInt(a.ml >>> 0);
}

/** the value read as a signed 64-bit number, as a double (exact when |value| < 2^53) */
export function tnumSNum(a: Tnum): number {
  return a.vh * 4294967296 + (a.vl >>> 0);
}

/** the value read as an unsigned 64-bit number, as a double (exact below 2^53) */
export function tnumUNum(a: Tnum): number {
  return (a.vh >>> 0) * 4294967296 + (a.vl >>> 0);
}

/** fls64: index (1-based) of the highest set bit, 0 for 0 */
export function fls64(hi: number, lo: number): number {
  if (hi) return 64 - Math.clz32(hi);
  return lo ? 32 - Math.clz32(lo) : 0;
}

/** The tightest tnum covering every value in [min, max] (unsigned); bounds given as halves. */
export function tnumRange(minH: number, minL: number, maxH: number, maxL: number): Tnum {
  const bits = fls64(minH ^ maxH, minL ^ maxL);
  if (bits > 63) return TNUM_UNKNOWN;
  let dh: number, dl: number;
  if (bits === 0) { dh = 0; dl = 0; } else if (bits < 32) { dh = 0; dl = (1 << bits) - 1; } else if (bits === 32) { dh = 0; dl = -1; } else {
    dh = (1 << (bits - 32)) - 1; dl = -1;
  }
  return { vh: minH & ~dh, vl: minL & ~dl, mh: dh, ml: dl };
}

/** cold paths / tests: tnumRange with BigInt bounds */
export function tnumRangeBig(min: bigint, max: bigint): Tnum {
  const a = BigInt.asUintN(64, min), b = BigInt.asUintN(64, max);
  return tnumRange(Number(a >> 32n) | 0, Number(a & 0xffff_ffffn) | 0, Number(b >> 32n) | 0, Number(b & 0xffff_ffffn) | 0);
}

// 64-bit shifts on halves (shift in [0, 63]); results through module-level scratch to avoid allocating
let SH = 0, SL = 0;
function shl(h: number, l: number, s: number): void {
  if (s === 0) { SH = h; SL = l; } else if (s < 32) { SH = (h << s) | (l >>> (32 - s)); SL = l << s; } else { SH = l << (s - 32); SL = 0; }
}
function shr(h: number, l: number, s: number): void {
  if (s === 0) { SH = h; SL = l; } else if (s < 32) { SL = (l >>> s) | (h << (32 - s)); SH = h >>> s; } else { SL = h >>> (s - 32); SH = 0; }
  SH |= 0; SL |= 0;
}
function sar(h: number, l: number, s: number): void {
  if (s === 0) { SH = h; SL = l; } else if (s < 32) { SL = (l >>> s) | (h << (32 - s)); SH = h >> s; } else { SL = h >> (s - 32); SH = h >> 31; }
  SL |= 0;
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  shl(a.vh, a.vl, shift); const vh = SH, vl = SL;
  shl(a.mh, a.ml, shift);
  return { vh, vl, mh: SH, ml: SL };
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  shr(a.vh, a.vl, shift); const vh = SH, vl = SL;
  shr(a.mh, a.ml, shift);
  return { vh, vl, mh: SH, ml: SL };
}

export function tnumArshift(a: Tnum, minShift: number, bits: 32 | 64): Tnum {
  if (bits === 32) {
    return { vh: 0, vl: a.vl >> minShift, mh: 0, ml: a.ml >> minShift };
  }
  sar(a.vh, a.vl, minShift); const vh = SH, vl = SL;
  sar(a.mh, a.ml, minShift);
  return { vh, vl, mh: SH, ml: SL };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  // sm = a.mask + b.mask; sv = a.value + b.value; sigma = sm + sv; chi = sigma ^ sv
  let l = (a.ml >>> 0) + (b.ml >>> 0);
  const smh = (a.mh + b.mh + (l > 0xffff_ffff ? 1 : 0)) | 0, sml = l | 0;
  l = (a.vl >>> 0) + (b.vl >>> 0);
  const svh = (a.vh + b.vh + (l > 0xffff_ffff ? 1 : 0)) | 0, svl = l | 0;
  l = (sml >>> 0) + (svl >>> 0);
  const sgh = (smh + svh + (l > 0xffff_ffff ? 1 : 0)) | 0, sgl = l | 0;
  const muh = (sgh ^ svh) | a.mh | b.mh, mul = (sgl ^ svl) | a.ml | b.ml;
  return { vh: svh & ~muh, vl: svl & ~mul, mh: muh, ml: mul };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  // dv = a.value - b.value; alpha = dv + a.mask; beta = dv - b.mask; chi = alpha ^ beta
  let l = (a.vl >>> 0) - (b.vl >>> 0);
  const dvh = (a.vh - b.vh - (l < 0 ? 1 : 0)) | 0, dvl = l | 0;
  l = (dvl >>> 0) + (a.ml >>> 0);
  const ah = (dvh + a.mh + (l > 0xffff_ffff ? 1 : 0)) | 0, al = l | 0;
  l = (dvl >>> 0) - (b.ml >>> 0);
  const bh = (dvh - b.mh - (l < 0 ? 1 : 0)) | 0, bl = l | 0;
  const muh = (ah ^ bh) | a.mh | b.mh, mul = (al ^ bl) | a.ml | b.ml;
  return { vh: dvh & ~muh, vl: dvl & ~mul, mh: muh, ml: mul };
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const vh = a.vh & b.vh, vl = a.vl & b.vl;
  return { vh, vl, mh: ((a.vh | a.mh) & (b.vh | b.mh)) & ~vh, ml: ((a.vl | a.ml) & (b.vl | b.ml)) & ~vl };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const vh = a.vh | b.vh, vl = a.vl | b.vl;
  return { vh, vl, mh: (a.mh | b.mh) & ~vh, ml: (a.ml | b.ml) & ~vl };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const mh = a.mh | b.mh, ml = a.ml | b.ml;
  return { vh: (a.vh ^ b.vh) & ~mh, vl: (a.vl ^ b.vl) & ~ml, mh, ml };
}

let MH = 0, ML = 0;
/** the low 64 bits of a 64x64-bit product, halves in MH/ML (16-bit limbs keep every step exact) */
export function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a48 = ah >>> 16, a32 = ah & 0xffff, a16 = al >>> 16, a00 = al & 0xffff;
  const b48 = bh >>> 16, b32 = bh & 0xffff, b16 = bl >>> 16, b00 = bl & 0xffff;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16; c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = c16 >>> 16; c16 &= 0xffff;
  c16 += a00 * b16;
  c32 += c16 >>> 16; c16 &= 0xffff;
  c32 += a32 * b00;
  let c48 = c32 >>> 16; c32 &= 0xffff;
  c32 += a16 * b16;
  c48 += c32 >>> 16; c32 &= 0xffff;
  c32 += a00 * b32;
  c48 += c32 >>> 16; c32 &= 0xffff;
  c48 += Math.imul(a48, b00) + Math.imul(a32, b16) + Math.imul(a16, b32) + Math.imul(a00, b48);
  c48 &= 0xffff;
  MH = (c48 << 16) | c32;
  ML = (c16 << 16) | c00;
}
export const mulHi = (): number => MH;
export const mulLo = (): number => ML;

// tnum addition on halves, result in AVH/AVL (value) and AMH/AML (mask): tnumMul's loop without allocation
let AVH = 0, AVL = 0, AMH = 0, AML = 0;
function addHalves(avh: number, avl: number, amh: number, aml: number, bvh: number, bvl: number, bmh: number, bml: number): void {
  let l = (aml >>> 0) + (bml >>> 0);
  const smh = (amh + bmh + (l > 0xffff_ffff ? 1 : 0)) | 0, sml = l | 0;
  l = (avl >>> 0) + (bvl >>> 0);
  const svh = (avh + bvh + (l > 0xffff_ffff ? 1 : 0)) | 0, svl = l | 0;
  l = (sml >>> 0) + (svl >>> 0);
  const sgh = (smh + svh + (l > 0xffff_ffff ? 1 : 0)) | 0, sgl = l | 0;
  AMH = (sgh ^ svh) | amh | bmh; AML = (sgl ^ svl) | aml | bml;
  AVH = svh & ~AMH; AVL = svl & ~AML;
}

export function tnumMul(a: Tnum, b: Tnum): Tnum {
  mul64(a.vh, a.vl, b.vh, b.vl);
  const accVh = MH, accVl = ML;
  // acc_m = sum of (0; b.mask) for known-one bits of a, (0; b.value | b.mask) for unknown bits
  let cvh = 0, cvl = 0, cmh = 0, cml = 0;
  let avh = a.vh, avl = a.vl, amh = a.mh, aml = a.ml;
  let bvh = b.vh, bvl = b.vl, bmh = b.mh, bml = b.ml;
  while (avh | avl | amh | aml) {
    if (avl & 1) { addHalves(cvh, cvl, cmh, cml, 0, 0, bmh, bml); cvh = AVH; cvl = AVL; cmh = AMH; cml = AML; }
    else if (aml & 1) { addHalves(cvh, cvl, cmh, cml, 0, 0, bvh | bmh, bvl | bml); cvh = AVH; cvl = AVL; cmh = AMH; cml = AML; }
    avl = (avl >>> 1) | (avh << 31); avh = avh >>> 1;
    aml = (aml >>> 1) | (amh << 31); amh = amh >>> 1;
    bvh = (bvh << 1) | (bvl >>> 31); bvl <<= 1;
    bmh = (bmh << 1) | (bml >>> 31); bml <<= 1;
  }
  addHalves(accVh, accVl, 0, 0, cvh, cvl, cmh, cml);
  return { vh: AVH, vl: AVL, mh: AMH, ml: AML };
}

export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const mh = a.mh & b.mh, ml = a.ml & b.ml;
  return { vh: (a.vh | b.vh) & ~mh, vl: (a.vl | b.vl) & ~ml, mh, ml };
}

export function tnumCast(a: Tnum, sizeBytes: number): Tnum {
  if (sizeBytes >= 8) return a;
  if (sizeBytes === 4) return { vh: 0, vl: a.vl, mh: 0, ml: a.ml };
  const m = (1 << (sizeBytes * 8)) - 1;
  return { vh: 0, vl: a.vl & m, mh: 0, ml: a.ml & m };
}

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.vl | a.ml) & (size - 1)) === 0;
}

/** Whether every value of b is a value of a (b is a subset of a). */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mh & ~a.mh) | (b.ml & ~a.ml)) return false;
  return a.vh === (b.vh & ~a.mh) && a.vl === (b.vl & ~a.ml);
}

export function tnumSubreg(a: Tnum): Tnum {
  return a.vh === 0 && a.mh === 0 ? a : { vh: 0, vl: a.vl, mh: 0, ml: a.ml };
}

export function tnumClearSubreg(a: Tnum): Tnum {
  return { vh: a.vh, vl: 0, mh: a.mh, ml: 0 };
}

/** the upper half of reg with the lower half of sub */
export function tnumWithSubreg(reg: Tnum, sub: Tnum): Tnum {
  return { vh: reg.vh, vl: sub.vl, mh: reg.mh, ml: sub.ml };
}

export function tnumConstSubreg(a: Tnum, v: number): Tnum {
  return { vh: a.vh, vl: v | 0, mh: a.mh, ml: 0 };
}

/** The kernel's "(0x..; 0x..)" rendering. */
export function tnumStr(a: Tnum): string {
  return `(0x${tnumValueBig(a).toString(16)}; 0x${tnumMaskBig(a).toString(16)})`;
}

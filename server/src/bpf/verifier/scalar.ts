// Scalar bounds arithmetic of the verifier: the bound updates of adjust_scalar_min_max_vals per ALU
// op (scalar_min_max_add/sub/mul/and/or/xor/lsh/rsh/arsh), sign extension (movsx, ldsx), branch
// outcome prediction (is_scalar_branch_taken) and branch refinement (regs_refine_cond_op), on the
// BigInt-free register representation of reg.ts (64-bit bounds as int32 halves).
import {
  Reg, RReg, RegType, markKnown, markKnownScalar, mark32Known, markUnknown, markUnbounded, mark32Unbounded, mark64Unbounded,
  regBoundsSync, updateRegBounds, isSubregConst, slt, sle, ult, ule, sminNum, smaxNum, S32_MIN, S32_MAX, U32_MAX,
} from './reg';
import {
  Tnum, tnumConst, tnumIsConst, tnumSubreg, tnumIntersect, tnumWithSubreg, tnumOr, tnumAnd, tnumLshift, tnumRshift,
  tnumArshift, tnumCast, mul64 as mulU64, mulHi, mulLo,
} from './tnum';

// ---- sign extension ------------------------------------------------------------------------

/** smin/smax fit in a signed `bits`-bit integer (bits <= 32) */
export function fitsSigned(r: RReg, bits: number): boolean {
  const lim = 2 ** (bits - 1);
  return sminNum(r) >= -lim && smaxNum(r) < lim;
}

/** the low `bits` (8, 16 or 32) of an int32, sign-extended to an int32 */
const sext32 = (v: number, bits: number): number => (bits >= 32 ? v | 0 : (v << (32 - bits)) >> (32 - bits));

/** Sign-extend the low `bytes` of a 64-bit scalar (movsx / coerce_reg_to_size_sx). */
export function signExtend(r: Reg, bytes: number): void {
  const bits = bytes * 8;
  if (tnumIsConst(r.varOff)) {
    const v = sext32(r.varOff.vl, bits);
    markKnown(r, v >> 31, v);
    return;
  }
  // when smin/smax fit in `bits`, their sign-extended low bits are themselves
  const fits = fitsSigned(r, bits) && sle(r.sminH, r.sminL, r.smaxH, r.smaxL);
  const sminH = r.sminH, sminL = r.sminL, smaxH = r.smaxH, smaxL = r.smaxL;
  const id = r.id;
  markUnknown(r);
  r.id = id;
  if (fits) { r.sminH = sminH; r.sminL = sminL; r.smaxH = smaxH; r.smaxL = smaxL; } else {
    const lim = 2 ** (bits - 1);
    r.sminH = -1; r.sminL = -lim | 0; r.smaxH = 0; r.smaxL = (lim - 1) | 0;
  }
  regBoundsSync(r);
}

/** 32-bit movsx: sign-extend the low `bytes` into the low 32 bits (upper half zero). */
export function signExtend32(r: Reg, bytes: number): void {
  const bits = bytes * 8;
  if (tnumIsConst(tnumCast(r.varOff, bytes))) {
    markKnownScalar(r, 0, sext32(r.varOff.vl, bits));
    return;
  }
  markUnknown(r);
  r.s32min = -(2 ** (bits - 1)); r.s32max = 2 ** (bits - 1) - 1;
  r.umaxH = 0; r.umaxL = -1;
  regBoundsSync(r);
}

/** LDX with BPF_MEMSX: value is sign-extended from `size` bytes. */
export function signExtendLoad(r: Reg, size: number): void {
  markUnknown(r);
  const lim = 2 ** (size * 8 - 1);
  r.sminH = -1; r.sminL = -lim | 0; r.smaxH = 0; r.smaxL = (lim - 1) | 0;
  regBoundsSync(r);
}

// ---- ALU bounds -----------------------------------------------------------------------------

export function add32(d: Reg, s: RReg): void {
  const a = d.s32min + s.s32min, b = d.s32max + s.s32max;
  if (a < S32_MIN || a > S32_MAX || b < S32_MIN || b > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = a; d.s32max = b; }
  const c = d.u32min + s.u32min, e = d.u32max + s.u32max;
  if (c > U32_MAX || e > U32_MAX) { d.u32min = 0; d.u32max = U32_MAX; } else { d.u32min = c; d.u32max = e; }
}

export function add64(d: Reg, s: RReg): void {
  // signed: the exact high half of each sum must fit in int32
  let l1 = (d.sminL >>> 0) + (s.sminL >>> 0);
  const h1 = d.sminH + s.sminH + (l1 > 0xffff_ffff ? 1 : 0);
  let l2 = (d.smaxL >>> 0) + (s.smaxL >>> 0);
  const h2 = d.smaxH + s.smaxH + (l2 > 0xffff_ffff ? 1 : 0);
  if (h1 < S32_MIN || h1 > S32_MAX || h2 < S32_MIN || h2 > S32_MAX) {
    d.sminH = S32_MIN; d.sminL = 0; d.smaxH = S32_MAX; d.smaxL = -1;
  } else {
    d.sminH = h1; d.sminL = l1 | 0; d.smaxH = h2; d.smaxL = l2 | 0;
  }
  // unsigned: no carry out of bit 63
  l1 = (d.uminL >>> 0) + (s.uminL >>> 0);
  const h3 = (d.uminH >>> 0) + (s.uminH >>> 0) + (l1 > 0xffff_ffff ? 1 : 0);
  l2 = (d.umaxL >>> 0) + (s.umaxL >>> 0);
  const h4 = (d.umaxH >>> 0) + (s.umaxH >>> 0) + (l2 > 0xffff_ffff ? 1 : 0);
  if (h3 > 0xffff_ffff || h4 > 0xffff_ffff) {
    d.uminH = 0; d.uminL = 0; d.umaxH = -1; d.umaxL = -1;
  } else {
    d.uminH = h3 | 0; d.uminL = l1 | 0; d.umaxH = h4 | 0; d.umaxL = l2 | 0;
  }
}

export function sub32(d: Reg, s: RReg): void {
  const a = d.s32min - s.s32max, b = d.s32max - s.s32min;
  if (a < S32_MIN || a > S32_MAX || b < S32_MIN || b > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = a; d.s32max = b; }
  if (d.u32min < s.u32max) { d.u32min = 0; d.u32max = U32_MAX; } else { d.u32min -= s.u32max; d.u32max -= s.u32min; }
}

export function sub64(d: Reg, s: RReg): void {
  // smin - s.smax, smax - s.smin, with the exact high half fitting int32
  const l1 = (d.sminL >>> 0) - (s.smaxL >>> 0);
  const h1 = d.sminH - s.smaxH - (l1 < 0 ? 1 : 0);
  const l2 = (d.smaxL >>> 0) - (s.sminL >>> 0);
  const h2 = d.smaxH - s.sminH - (l2 < 0 ? 1 : 0);
  if (h1 < S32_MIN || h1 > S32_MAX || h2 < S32_MIN || h2 > S32_MAX) {
    d.sminH = S32_MIN; d.sminL = 0; d.smaxH = S32_MAX; d.smaxL = -1;
  } else {
    d.sminH = h1; d.sminL = l1 | 0; d.smaxH = h2; d.smaxL = l2 | 0;
  }
  if (ult(d.uminH, d.uminL, s.umaxH, s.umaxL)) {
    d.uminH = 0; d.uminL = 0; d.umaxH = -1; d.umaxL = -1;
  } else {
    // umin - s.umax >= 0 here, and umax - s.umin >= it
    const l3 = (d.uminL >>> 0) - (s.umaxL >>> 0);
    d.uminH = (d.uminH - s.umaxH - (l3 < 0 ? 1 : 0)) | 0; d.uminL = l3 | 0;
    const l4 = (d.umaxL >>> 0) - (s.uminL >>> 0);
    d.umaxH = (d.umaxH - s.uminH - (l4 < 0 ? 1 : 0)) | 0; d.umaxL = l4 | 0;
  }
}

export function mul32(d: Reg, s: RReg): void {
  if (s.s32min < 0 || d.s32min < 0) { mark32Unbounded(d); return; }
  if (s.u32max > 0xffff || d.u32max > 0xffff) { mark32Unbounded(d); return; }
  d.u32min *= s.u32min;
  d.u32max *= s.u32max;
  // | 0: the values fit (u32max <= S32_MAX); an int32 keeps the signed fields' hidden-class representation small-integer
  if (d.u32max > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = d.u32min | 0; d.s32max = d.u32max | 0; }
}

export function mul64(d: Reg, s: RReg): void {
  if (s.sminH < 0 || d.sminH < 0) { mark64Unbounded(d); return; }
  if (s.umaxH !== 0 || d.umaxH !== 0) { mark64Unbounded(d); return; }
  // both factors below 2^32: the products fit in 64 bits
  mulU64(0, d.uminL, 0, s.uminL); d.uminH = mulHi(); d.uminL = mulLo();
  mulU64(0, d.umaxL, 0, s.umaxL); d.umaxH = mulHi(); d.umaxL = mulLo();
  if (d.umaxH < 0) { d.sminH = S32_MIN; d.sminL = 0; d.smaxH = S32_MAX; d.smaxL = -1; } else {
    d.sminH = d.uminH; d.sminL = d.uminL; d.smaxH = d.umaxH; d.smaxL = d.umaxL;
  }
}

/** smin/smax from umin/umax when the unsigned range does not cross the sign bit, else unbounded */
function signedFromUnsigned(d: Reg): void {
  if (sle(d.uminH, d.uminL, d.umaxH, d.umaxL)) {
    d.sminH = d.uminH; d.sminL = d.uminL; d.smaxH = d.umaxH; d.smaxL = d.umaxL;
  } else {
    d.sminH = S32_MIN; d.sminL = 0; d.smaxH = S32_MAX; d.smaxL = -1;
  }
}

function signed32FromUnsigned(d: Reg): void {
  if ((d.u32min | 0) <= (d.u32max | 0)) { d.s32min = d.u32min | 0; d.s32max = d.u32max | 0; } else { d.s32min = S32_MIN; d.s32max = S32_MAX; }
}

// and/or/xor: the caller has already applied the op to d.varOff

export function and32(d: Reg, s: RReg): void {
  const t = d.varOff;
  if (isSubregConst(s) && isSubregConst(d)) { mark32Known(d, t.vl); return; }
  d.u32min = t.vl >>> 0;
  d.u32max = Math.min(d.u32max, s.u32max);
  signed32FromUnsigned(d);
}

export function and64(d: Reg, s: RReg): void {
  const t = d.varOff;
  if (tnumIsConst(s.varOff) && tnumIsConst(t)) { markKnown(d, t.vh, t.vl); return; }
  d.uminH = t.vh; d.uminL = t.vl;
  if (ult(s.umaxH, s.umaxL, d.umaxH, d.umaxL)) { d.umaxH = s.umaxH; d.umaxL = s.umaxL; }
  signedFromUnsigned(d);
  updateRegBounds(d);
}

export function or32(d: Reg, s: RReg): void {
  const t = d.varOff;
  if (isSubregConst(s) && isSubregConst(d)) { mark32Known(d, t.vl); return; }
  d.u32min = Math.max(d.u32min, s.u32min);
  d.u32max = (t.vl | t.ml) >>> 0;
  signed32FromUnsigned(d);
}

export function or64(d: Reg, s: RReg): void {
  const t = d.varOff;
  if (tnumIsConst(s.varOff) && tnumIsConst(t)) { markKnown(d, t.vh, t.vl); return; }
  if (ult(d.uminH, d.uminL, s.uminH, s.uminL)) { d.uminH = s.uminH; d.uminL = s.uminL; }
  d.umaxH = t.vh | t.mh; d.umaxL = t.vl | t.ml;
  signedFromUnsigned(d);
  updateRegBounds(d);
}

export function xor32(d: Reg, s: RReg): void {
  const t = d.varOff;
  if (isSubregConst(s) && isSubregConst(d)) { mark32Known(d, t.vl); return; }
  d.u32min = t.vl >>> 0;
  d.u32max = (t.vl | t.ml) >>> 0;
  signed32FromUnsigned(d);
}

export function xor64(d: Reg, s: RReg): void {
  const t = d.varOff;
  if (tnumIsConst(s.varOff) && tnumIsConst(t)) { markKnown(d, t.vh, t.vl); return; }
  d.uminH = t.vh; d.uminL = t.vl;
  d.umaxH = t.vh | t.mh; d.umaxL = t.vl | t.ml;
  signedFromUnsigned(d);
  updateRegBounds(d);
}

function lsh32Bounds(d: Reg, umin: number, umax: number): void {
  d.s32min = S32_MIN; d.s32max = S32_MAX;
  // u32max > 1 << (31 - umax): the shift may lose bits; otherwise the shifted bounds fit
  if (umax > 31 || d.u32max > (1 << (31 - umax)) >>> 0) { d.u32min = 0; d.u32max = U32_MAX; } else {
    d.u32min = (d.u32min << umin) >>> 0;
    d.u32max = (d.u32max << umax) >>> 0;
  }
}

export function lsh32(d: Reg, s: RReg): void {
  const sub = tnumSubreg(d.varOff);
  lsh32Bounds(d, s.u32min, s.u32max);
  // the low half shifted by s.u32min (< 32: safeToCompute), upper half zero
  const sh = s.u32min;
  d.varOff = { vh: 0, vl: sub.vl << sh, mh: 0, ml: sub.ml << sh };
  mark64Unbounded(d);
  updateRegBounds(d);
}

// 64-bit shifts of halves by 0..63, results in SH/SL
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

export function lsh64(d: Reg, s: RReg): void {
  // safeToCompute: the shift is a known constant below 64
  const umin = s.uminL >>> 0, umax = s.umaxL >>> 0;
  if (umin === 32 && umax === 32) {
    d.smaxH = d.s32max; d.smaxL = 0;
    d.sminH = d.s32min; d.sminL = 0;
  } else { d.sminH = S32_MIN; d.sminL = 0; d.smaxH = S32_MAX; d.smaxL = -1; }
  // umax > 1 << (63 - umax): the shift may lose bits
  const k = 63 - umax;
  const limH = k >= 32 ? 1 << (k - 32) : 0, limL = k >= 32 ? 0 : 1 << k;
  if (ult(limH, limL, d.umaxH, d.umaxL)) { d.uminH = 0; d.uminL = 0; d.umaxH = -1; d.umaxL = -1; } else {
    shl(d.uminH, d.uminL, umin); d.uminH = SH; d.uminL = SL;
    shl(d.umaxH, d.umaxL, umax); d.umaxH = SH; d.umaxL = SL;
  }
  lsh32Bounds(d, umin, umax);
  d.varOff = tnumLshift(d.varOff, umin);
  updateRegBounds(d);
}

export function rsh32(d: Reg, s: RReg): void {
  const sub = tnumSubreg(d.varOff);
  d.s32min = S32_MIN; d.s32max = S32_MAX;
  d.varOff = tnumRshift(sub, s.u32min);
  d.u32min = d.u32min >>> s.u32max;
  d.u32max = d.u32max >>> s.u32min;
  mark64Unbounded(d);
  updateRegBounds(d);
}

export function rsh64(d: Reg, s: RReg): void {
  const umin = s.uminL >>> 0, umax = s.umaxL >>> 0;
  d.sminH = S32_MIN; d.sminL = 0; d.smaxH = S32_MAX; d.smaxL = -1;
  d.varOff = tnumRshift(d.varOff, umin);
  shr(d.uminH, d.uminL, umax); d.uminH = SH; d.uminL = SL;
  shr(d.umaxH, d.umaxL, umin); d.umaxH = SH; d.umaxL = SL;
  mark32Unbounded(d);
  updateRegBounds(d);
}

export function arsh32(d: Reg, s: RReg): void {
  const sh = s.u32min;
  d.s32min = d.s32min >> sh;
  d.s32max = d.s32max >> sh;
  d.varOff = tnumArshift(tnumSubreg(d.varOff), sh, 32);
  d.u32min = 0; d.u32max = U32_MAX;
  mark64Unbounded(d);
  updateRegBounds(d);
}

export function arsh64(d: Reg, s: RReg): void {
  const sh = s.uminL >>> 0;
  sar(d.sminH, d.sminL, sh); d.sminH = SH; d.sminL = SL;
  sar(d.smaxH, d.smaxL, sh); d.smaxH = SH; d.smaxL = SL;
  d.varOff = tnumArshift(d.varOff, sh, 64);
  d.uminH = 0; d.uminL = 0; d.umaxH = -1; d.umaxL = -1;
  mark32Unbounded(d);
  updateRegBounds(d);
}

export function safeToCompute(op: number, src: RReg, alu64: boolean, off: number): boolean {
  void off;
  let srcConst: boolean;
  if (!alu64) srcConst = isSubregConst(src) && src.s32min === src.s32max && src.u32min === src.u32max;
  else {
    srcConst = tnumIsConst(src.varOff) && src.sminH === src.smaxH && src.sminL === src.smaxL &&
      src.uminH === src.umaxH && src.uminL === src.umaxL;
  }
  switch (op) {
    case 0x00: case 0x10: case 0x50: case 0xa0: case 0x40: case 0x20: return true;
    case 0x60: case 0x70: case 0xc0: return srcConst && src.umaxH === 0 && (src.umaxL >>> 0) < (alu64 ? 64 : 32);
    default: return false;
  }
}

// ---- branches ---------------------------------------------------------------------------

/** the opcode with its operands swapped (a > b  <=>  b < a) */
export function flipOpcode(op: number): number {
  switch (op) {
    case 0x30: return 0xb0; case 0x20: return 0xa0; case 0xb0: return 0x30; case 0xa0: return 0x20;
    case 0x70: return 0xd0; case 0x60: return 0xc0; case 0xd0: return 0x70; case 0xc0: return 0x60;
    default: return op;
  }
}

export function isRegConst(r: RReg, jmp32: boolean): boolean {
  return r.type === RegType.SCALAR_VALUE && (jmp32 ? isSubregConst(r) : tnumIsConst(r.varOff));
}

/** a constant register's (sub)register value is zero */
export function regConstIsZero(r: RReg, jmp32: boolean): boolean {
  return jmp32 ? r.varOff.vl === 0 : (r.varOff.vh | r.varOff.vl) === 0;
}

function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const muh = ~a.mh & ~b.mh, mul = ~a.ml & ~b.ml;
  return (a.vh & muh) === (b.vh & muh) && (a.vl & mul) === (b.vl & mul);
}

// the operands' bounds as halves, loaded once per call (32-bit bounds widened: u32 as (0, x),
// s32 as its sign extension, so the 64-bit comparisons order them correctly)
let uminAH = 0, uminAL = 0, umaxAH = 0, umaxAL = 0, sminAH = 0, sminAL = 0, smaxAH = 0, smaxAL = 0;
let uminBH = 0, uminBL = 0, umaxBH = 0, umaxBL = 0, sminBH = 0, sminBL = 0, smaxBH = 0, smaxBL = 0;
function loadBounds(r1: RReg, r2: RReg, jmp32: boolean): void {
  if (jmp32) {
    uminAH = 0; uminAL = r1.u32min | 0; umaxAH = 0; umaxAL = r1.u32max | 0;
    sminAH = r1.s32min >> 31; sminAL = r1.s32min; smaxAH = r1.s32max >> 31; smaxAL = r1.s32max;
    uminBH = 0; uminBL = r2.u32min | 0; umaxBH = 0; umaxBL = r2.u32max | 0;
    sminBH = r2.s32min >> 31; sminBL = r2.s32min; smaxBH = r2.s32max >> 31; smaxBL = r2.s32max;
  } else {
    uminAH = r1.uminH; uminAL = r1.uminL; umaxAH = r1.umaxH; umaxAL = r1.umaxL;
    sminAH = r1.sminH; sminAL = r1.sminL; smaxAH = r1.smaxH; smaxAL = r1.smaxL;
    uminBH = r2.uminH; uminBL = r2.uminL; umaxBH = r2.umaxH; umaxBL = r2.umaxL;
    sminBH = r2.sminH; sminBL = r2.sminL; smaxBH = r2.smaxH; smaxBL = r2.smaxL;
  }
}

// comparisons of the loaded bounds of A (r1) and B (r2), for (A, B) as the branch's operands
const ugtAB = (): boolean => ult(umaxBH, umaxBL, uminAH, uminAL); // umin1 > umax2
const uleAB = (): boolean => ule(umaxAH, umaxAL, uminBH, uminBL); // umax1 <= umin2
const ultAB = (): boolean => ult(umaxAH, umaxAL, uminBH, uminBL); // umax1 < umin2
const ugeAB = (): boolean => ule(umaxBH, umaxBL, uminAH, uminAL); // umin1 >= umax2
const sgtAB = (): boolean => slt(smaxBH, smaxBL, sminAH, sminAL);
const sleAB = (): boolean => sle(smaxAH, smaxAL, sminBH, sminBL);
const sltAB = (): boolean => slt(smaxAH, smaxAL, sminBH, sminBL);
const sgeAB = (): boolean => sle(smaxBH, smaxBL, sminAH, sminAL);

/** is_scalar_branch_taken: 1 taken, 0 not taken, -1 unknown */
export function scalarBranchTaken(r1: RReg, r2: RReg, op: number, jmp32: boolean): number {
  const t1 = jmp32 ? tnumSubreg(r1.varOff) : r1.varOff;
  const t2 = jmp32 ? tnumSubreg(r2.varOff) : r2.varOff;
  loadBounds(r1, r2, jmp32);
  switch (op) {
    case 0x10: case 0x50: {
      const eq = op === 0x10;
      if (tnumIsConst(t1) && tnumIsConst(t2)) return (t1.vh === t2.vh && t1.vl === t2.vl) === eq ? 1 : 0;
      const differ = !tnumOverlap(t1, t2) || ugtAB() || ultAB() || sgtAB() || sltAB() ||
        (!jmp32 && (r1.u32min > r2.u32max || r1.u32max < r2.u32min || r1.s32min > r2.s32max || r1.s32max < r2.s32min));
      if (differ) return eq ? 0 : 1;
      return -1;
    }
    case 0x40: {
      let ta = t1, tb = t2;
      if (!isRegConst(r2, jmp32)) { ta = t2; tb = t1; if (!isRegConst(r1, jmp32)) return -1; }
      if (((~ta.mh & ta.vh & tb.vh) | (~ta.ml & ta.vl & tb.vl)) !== 0) return 1;
      if ((((ta.mh | ta.vh) & tb.vh) | ((ta.ml | ta.vl) & tb.vl)) === 0) return 0;
      return -1;
    }
    case 0x20: return ugtAB() ? 1 : uleAB() ? 0 : -1;
    case 0x60: return sgtAB() ? 1 : sleAB() ? 0 : -1;
    case 0xa0: return ultAB() ? 1 : ugeAB() ? 0 : -1;
    case 0xc0: return sltAB() ? 1 : sgeAB() ? 0 : -1;
    case 0x30: return ugeAB() ? 1 : ultAB() ? 0 : -1;
    case 0x70: return sgeAB() ? 1 : sltAB() ? 0 : -1;
    case 0xb0: return uleAB() ? 1 : ugtAB() ? 0 : -1;
    case 0xd0: return sleAB() ? 1 : sgtAB() ? 0 : -1;
  }
  return -1;
}

/** regs_refine_cond_op: narrow both registers assuming `r1 op r2` holds. */
export function refineCond(r1: Reg, r2: Reg, op: number, jmp32: boolean): void {
  let tmp: Reg;
  if (op === 0x30 || op === 0x20 || op === 0x70 || op === 0x60) { op = flipOpcode(op); tmp = r1; r1 = r2; r2 = tmp; }
  switch (op) {
    case 0x10:
      if (jmp32) {
        r1.u32min = Math.max(r1.u32min, r2.u32min); r1.u32max = Math.min(r1.u32max, r2.u32max);
        r1.s32min = Math.max(r1.s32min, r2.s32min); r1.s32max = Math.min(r1.s32max, r2.s32max);
        r2.u32min = r1.u32min; r2.u32max = r1.u32max; r2.s32min = r1.s32min; r2.s32max = r1.s32max;
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        if (ult(r1.uminH, r1.uminL, r2.uminH, r2.uminL)) { r1.uminH = r2.uminH; r1.uminL = r2.uminL; }
        if (ult(r2.umaxH, r2.umaxL, r1.umaxH, r1.umaxL)) { r1.umaxH = r2.umaxH; r1.umaxL = r2.umaxL; }
        if (slt(r1.sminH, r1.sminL, r2.sminH, r2.sminL)) { r1.sminH = r2.sminH; r1.sminL = r2.sminL; }
        if (slt(r2.smaxH, r2.smaxL, r1.smaxH, r1.smaxL)) { r1.smaxH = r2.smaxH; r1.smaxL = r2.smaxL; }
        r2.uminH = r1.uminH; r2.uminL = r1.uminL; r2.umaxH = r1.umaxH; r2.umaxL = r1.umaxL;
        r2.sminH = r1.sminH; r2.sminL = r1.sminL; r2.smaxH = r1.smaxH; r2.smaxL = r1.smaxL;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      break;
    case 0x50: {
      if (!isRegConst(r2, jmp32)) { tmp = r1; r1 = r2; r2 = tmp; }
      if (!isRegConst(r2, jmp32)) break;
      const vh = r2.varOff.vh, vl = r2.varOff.vl;
      if (jmp32) {
        const v = vl >>> 0;
        if (r1.u32min === v) r1.u32min = (r1.u32min + 1) >>> 0;
        if (r1.u32max === v) r1.u32max = (r1.u32max - 1) >>> 0;
        if (r1.s32min === (v | 0)) r1.s32min = (r1.s32min + 1) | 0;
        if (r1.s32max === (v | 0)) r1.s32max = (r1.s32max - 1) | 0;
      } else {
        // +1 / -1 wrap around modulo 2^64 as in the kernel
        if (r1.uminH === vh && r1.uminL === vl) { r1.uminL = (vl + 1) | 0; if (r1.uminL === 0) r1.uminH = (vh + 1) | 0; }
        if (r1.umaxH === vh && r1.umaxL === vl) { if (vl === 0) r1.umaxH = (vh - 1) | 0; r1.umaxL = (vl - 1) | 0; }
        if (r1.sminH === vh && r1.sminL === vl) { r1.sminL = (vl + 1) | 0; if (r1.sminL === 0) r1.sminH = (vh + 1) | 0; }
        if (r1.smaxH === vh && r1.smaxL === vl) { if (vl === 0) r1.smaxH = (vh - 1) | 0; r1.smaxL = (vl - 1) | 0; }
      }
      break;
    }
    case 0x40: {
      if (!isRegConst(r2, jmp32)) { tmp = r1; r1 = r2; r2 = tmp; }
      if (!isRegConst(r2, jmp32)) break;
      const vh = jmp32 ? 0 : r2.varOff.vh, vl = r2.varOff.vl;
      // only a single-bit constant refines
      const oneBit = vh === 0 ? vl !== 0 && (vl & (vl - 1)) === 0 : vl === 0 && (vh & (vh - 1)) === 0;
      if (!oneBit) break;
      if (jmp32) r1.varOff = tnumWithSubreg(r1.varOff, tnumOr(tnumSubreg(r1.varOff), tnumConst(0, vl)));
      else r1.varOff = tnumOr(r1.varOff, tnumConst(vh, vl));
      break;
    }
    case 0x48: {
      if (!isRegConst(r2, jmp32)) { tmp = r1; r1 = r2; r2 = tmp; }
      if (!isRegConst(r2, jmp32)) break;
      const vh = r2.varOff.vh, vl = r2.varOff.vl;
      markUnbounded(r1);
      if (jmp32) r1.varOff = tnumWithSubreg(r1.varOff, tnumAnd(tnumSubreg(r1.varOff), tnumConst(0, ~vl)));
      else r1.varOff = tnumAnd(r1.varOff, tnumConst(~vh, ~vl));
      break;
    }
    case 0xb0:
      if (jmp32) { r1.u32max = Math.min(r1.u32max, r2.u32max); r2.u32min = Math.max(r1.u32min, r2.u32min); } else {
        if (ult(r2.umaxH, r2.umaxL, r1.umaxH, r1.umaxL)) { r1.umaxH = r2.umaxH; r1.umaxL = r2.umaxL; }
        if (ult(r2.uminH, r2.uminL, r1.uminH, r1.uminL)) { r2.uminH = r1.uminH; r2.uminL = r1.uminL; }
      }
      break;
    case 0xa0:
      if (jmp32) { r1.u32max = Math.min(r1.u32max, (r2.u32max - 1) >>> 0); r2.u32min = Math.max((r1.u32min + 1) >>> 0, r2.u32min); } else {
        // r1.umax = min(r1.umax, r2.umax - 1); r2.umin = max(r1.umin + 1, r2.umin), wrapping
        const ml = (r2.umaxL - 1) | 0, mh = r2.umaxL === 0 ? (r2.umaxH - 1) | 0 : r2.umaxH;
        if (ult(mh, ml, r1.umaxH, r1.umaxL)) { r1.umaxH = mh; r1.umaxL = ml; }
        const pl = (r1.uminL + 1) | 0, ph = pl === 0 ? (r1.uminH + 1) | 0 : r1.uminH;
        if (ult(r2.uminH, r2.uminL, ph, pl)) { r2.uminH = ph; r2.uminL = pl; }
      }
      break;
    case 0xd0:
      if (jmp32) { r1.s32max = Math.min(r1.s32max, r2.s32max); r2.s32min = Math.max(r1.s32min, r2.s32min); } else {
        if (slt(r2.smaxH, r2.smaxL, r1.smaxH, r1.smaxL)) { r1.smaxH = r2.smaxH; r1.smaxL = r2.smaxL; }
        if (slt(r2.sminH, r2.sminL, r1.sminH, r1.sminL)) { r2.sminH = r1.sminH; r2.sminL = r1.sminL; }
      }
      break;
    case 0xc0:
      if (jmp32) { r1.s32max = Math.min(r1.s32max, (r2.s32max - 1) | 0); r2.s32min = Math.max((r1.s32min + 1) | 0, r2.s32min); } else {
        const ml = (r2.smaxL - 1) | 0, mh = r2.smaxL === 0 ? (r2.smaxH - 1) | 0 : r2.smaxH;
        if (slt(mh, ml, r1.smaxH, r1.smaxL)) { r1.smaxH = mh; r1.smaxL = ml; }
        const pl = (r1.sminL + 1) | 0, ph = pl === 0 ? (r1.sminH + 1) | 0 : r1.sminH;
        if (slt(r2.sminH, r2.sminL, ph, pl)) { r2.sminH = ph; r2.sminL = pl; }
      }
      break;
  }
}

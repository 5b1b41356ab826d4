// Property test of the BigInt-free 64-bit arithmetic of the verifier (tnum.ts, reg.ts, scalar.ts):
// every primitive is run side by side with a plain BigInt reference implementation (below: the
// verifier's earlier BigInt code, kept here as the oracle) on edge values (0, 1, 2^31, 2^32-1,
// 2^63, 2^64-1, ...) and random ones, and the results must be identical bit for bit.
// BPFLS_LONG=1 runs 50x more cases.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/bpf/verifier/tnum';
import * as R from '../../src/bpf/verifier/reg';
import * as S from '../../src/bpf/verifier/scalar';

const ROUNDS = process.env.BPFLS_LONG === '1' ? 100_000 : 2_000;

// ---- BigInt reference (the verifier's former implementation) --------------------------------

const S32_MIN = -0x8000_0000;
const S32_MAX = 0x7fff_ffff;
const U32_MAX = 0xffff_ffff;

interface BReg {
  varOff: Tnum;
  id?: number;
  off?: number;
  smin: bigint; smax: bigint; umin: bigint; umax: bigint;
  s32min: number; s32max: number; u32min: number; u32max: number;
}

function markUnknown(r: BReg): void {
  r.varOff = TNUM_UNKNOWN;
  markUnbounded(r);
}

function markKnownScalar(r: BReg, v: bigint): void {
  markKnown(r, v);
}

function isRegConst(r: BReg, jmp32: boolean): boolean {
  return jmp32 ? isSubregConst(r) : tnumIsConst(r.varOff);
}

interface Tnum { readonly value: bigint; readonly mask: bigint }

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const U32_MAX_N = 0xffff_ffffn;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

const TNUM_UNKNOWN: Tnum = { value: 0n, mask: U64_MAX };
const TNUM_ZERO: Tnum = { value: 0n, mask: 0n };

function tnum(value: bigint, mask: bigint): Tnum {
  return { value, mask };
}

function tnumConst(v: bigint): Tnum {
  return { value: u64(v), mask: 0n };
}

function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === U64_MAX;
}

function tnumEquals(a: Tnum, b: Tnum): boolean {
  return a.value === b.value && a.mask === b.mask;
}

/** x & ~bits for x, bits in [0, 2^64): two BigInt operations instead of three (each allocates) */
const clearBits = (x: bigint, bits: bigint): bigint => (x | bits) ^ bits;

function fls64(x: bigint): number {
  if (x === 0n) return 0;
  const hi = Number(x >> 32n);
  return hi ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(x & 0xffff_ffffn));
}

/** The tightest tnum covering every value in [min, max] (unsigned). */
function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: clearBits(min, delta), mask: delta };
}

function tnumLshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return { value: u64(a.value << s), mask: u64(a.mask << s) };
}

function tnumRshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return { value: a.value >> s, mask: a.mask >> s };
}

function tnumArshift(a: Tnum, minShift: number, bits: 32 | 64): Tnum {
  const s = BigInt(minShift);
  if (bits === 32) {
    return {
      value: BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s),
      mask: BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s),
    };
  }
  return { value: u64(s64(a.value) >> s), mask: u64(s64(a.mask) >> s) };
}

function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = a.mask + b.mask;
  const sv = a.value + b.value;
  const sigma = sm + sv;
  const chi = u64(sigma ^ sv);
  const mu = chi | a.mask | b.mask;
  return { value: clearBits(u64(sv), mu), mask: mu };
}

function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: clearBits(dv, mu), mask: mu };
}

function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: clearBits(alpha & beta, v) };
}

function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: clearBits(mu, v) };
}

function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: clearBits(v, mu), mask: mu };
}

function tnumMul(a: Tnum, b: Tnum): Tnum {
  const accV = u64(a.value * b.value);
  let accM: Tnum = TNUM_ZERO;
  let av = a.value, am = a.mask, bv = b.value, bm = b.mask;
  while (av || am) {
    if (av & 1n) accM = tnumAdd(accM, { value: 0n, mask: bm });
    else if (am & 1n) accM = tnumAdd(accM, { value: 0n, mask: bv | bm });
    av >>= 1n; am >>= 1n;
    bv = u64(bv << 1n); bm = u64(bm << 1n);
  }
  return tnumAdd({ value: accV, mask: 0n }, accM);
}

function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: clearBits(v, mu), mask: mu };
}

function tnumCast(a: Tnum, sizeBytes: number): Tnum {
  if (sizeBytes >= 8) return a;
  const m = (1n << BigInt(sizeBytes * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** Whether every value of b is a value of a (b is a subset of a). */
function tnumIn(a: Tnum, b: Tnum): boolean {
  // b.mask within a.mask, and a.value === b.value & ~a.mask; written with fewer BigInt operations
  // (each allocates) since pruning calls this for every register it compares
  if ((b.mask | a.mask) !== a.mask) return false;
  return a.value === ((b.value | a.mask) ^ a.mask);
}

function tnumSubreg(a: Tnum): Tnum {
  return tnumCast(a, 4);
}

function tnumClearSubreg(a: Tnum): Tnum {
  return tnumLshift(tnumRshift(a, 32), 32);
}

function tnumWithSubreg(reg: Tnum, sub: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(sub));
}

function tnumConstSubreg(a: Tnum, v: number): Tnum {
  return tnumWithSubreg(a, tnumConst(BigInt(v >>> 0)));
}

/** The kernel's "(0x..; 0x..)" rendering. */
function tnumStr(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}

/** __mark_reg_known: a constant 64-bit value (keeps the type, clears offsets and ids). */
function markKnown(r: BReg, v: bigint): void {
  const x = u64(v);
  r.varOff = tnumConst(x);
  r.off = 0;
  r.smin = r.smax = s64(x);
  r.umin = r.umax = x;
  const lo = Number(x & 0xffff_ffffn);
  r.s32min = r.s32max = lo | 0;
  r.u32min = r.u32max = lo >>> 0;
}


/** __mark_reg32_known: constant low 32 bits, upper half unchanged in var_off. */
function mark32Known(r: BReg, v: number): void {
  r.varOff = tnumConstSubreg(r.varOff, v);
  r.s32min = r.s32max = v | 0;
  r.u32min = r.u32max = v >>> 0;
}

function markUnbounded(r: BReg): void {
  r.smin = S64_MIN; r.smax = S64_MAX; r.umin = 0n; r.umax = U64_MAX;
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
}

function mark64Unbounded(r: BReg): void {
  r.smin = S64_MIN; r.smax = S64_MAX; r.umin = 0n; r.umax = U64_MAX;
}

function mark32Unbounded(r: BReg): void {
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
}


function isSubregConst(r: BReg): boolean {
  return tnumSubreg(r.varOff).mask === 0n;
}


const lo32 = (x: bigint): number => Number(x & 0xffff_ffffn);
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function update32Bounds(r: BReg): void {
  const t = tnumSubreg(r.varOff);
  const v = Number(t.value), m = Number(t.mask);
  r.s32min = Math.max(r.s32min, (v | (m & 0x8000_0000)) | 0);
  r.s32max = Math.min(r.s32max, (v | (m & 0x7fff_ffff)) | 0);
  r.u32min = Math.max(r.u32min, v >>> 0);
  r.u32max = Math.min(r.u32max, (v | m) >>> 0);
}

function update64Bounds(r: BReg): void {
  const v = r.varOff.value, m = r.varOff.mask;
  r.smin = bmax(r.smin, s64(v | (m & 0x8000_0000_0000_0000n)));
  r.smax = bmin(r.smax, s64(v | (m & 0x7fff_ffff_ffff_ffffn)));
  r.umin = bmax(r.umin, v);
  r.umax = bmin(r.umax, v | m);
}

function updateBRegBounds(r: BReg): void {
  update32Bounds(r);
  update64Bounds(r);
}

function deduce32(r: BReg): void {
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

function deduce64(r: BReg): void {
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

function deduceMixed(r: BReg): void {
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

function deduceBounds(r: BReg): void {
  deduce32(r);
  deduce64(r);
  deduceMixed(r);
}

function boundOffset(r: BReg): void {
  const v64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const v32 = tnumIntersect(tnumSubreg(v64), tnumRange(BigInt(r.u32min), BigInt(r.u32max)));
  r.varOff = tnumOr(tnumClearSubreg(v64), v32);
}

/** reg_bounds_sync: make tnum, 64- and 32-bit signed and unsigned bounds agree. */
function regBoundsSync(r: BReg): void {
  // Constants are the hot case and already consistent.
  if (tnumIsConst(r.varOff) && r.umin === r.umax && r.umin === r.varOff.value) {
    const lo = lo32(r.umin);
    r.smin = r.smax = s64(r.umin);
    r.s32min = r.s32max = lo | 0;
    r.u32min = r.u32max = lo;
    return;
  }
  updateBRegBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  boundOffset(r);
  updateBRegBounds(r);
}

/** Whether bounds are self-contradictory (an impossible branch). */
function regBoundsInvalid(r: BReg): boolean {
  return r.umin > r.umax || r.smin > r.smax || r.u32min > r.u32max || r.s32min > r.s32max;
}

/** zext_32_to_64 after a 32-bit ALU op. */
function zext32To64(r: BReg): void {
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
function coerceToSize(r: BReg, size: number): void {
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


function fitsSigned(r: BReg, bits: number): boolean {
  const lim = 1n << BigInt(bits - 1);
  return r.smin >= -lim && r.smax < lim;
}

/** Sign-extend the low `bytes` of a 64-bit scalar (movsx / coerce_reg_to_size_sx). */
function signExtend(r: BReg, bytes: number): void {
  const bits = BigInt(bytes * 8);
  if (tnumIsConst(r.varOff)) {
    markKnown(r, BigInt.asIntN(Number(bits), r.varOff.value));
    return;
  }
  const lo = BigInt.asIntN(Number(bits), r.smin), hi = BigInt.asIntN(Number(bits), r.smax);
  const fits = fitsSigned(r, Number(bits)) && r.smin <= r.smax;
  const id = r.id;
  markUnknown(r);
  r.id = id;
  if (fits) { r.smin = lo; r.smax = hi; } else {
    r.smin = -(1n << (bits - 1n)); r.smax = (1n << (bits - 1n)) - 1n;
  }
  regBoundsSync(r);
}

function signExtend32(r: BReg, bytes: number): void {
  const bits = bytes * 8;
  const lo = r.varOff.value & ((1n << BigInt(bits)) - 1n);
  if (tnumIsConst(tnumCast(r.varOff, bytes))) {
    const v = BigInt.asIntN(bits, lo);
    markKnownScalar(r, BigInt.asUintN(32, v));
    return;
  }
  markUnknown(r);
  r.s32min = -(2 ** (bits - 1)); r.s32max = 2 ** (bits - 1) - 1;
  r.umax = 0xffff_ffffn;
  regBoundsSync(r);
}

/** LDX with BPF_MEMSX: value is sign-extended from `size` bytes. */
function signExtendLoad(r: BReg, size: number): void {
  markUnknown(r);
  const bits = BigInt(size * 8);
  r.smin = -(1n << (bits - 1n));
  r.smax = (1n << (bits - 1n)) - 1n;
  regBoundsSync(r);
}

function addOvfS(a: bigint, b: bigint): bigint | undefined {
  const r = a + b;
  return r < S64_MIN || r > S64_MAX ? undefined : r;
}

function subOvfS(a: bigint, b: bigint): bigint | undefined {
  const r = a - b;
  return r < S64_MIN || r > S64_MAX ? undefined : r;
}

function add32(d: BReg, s: BReg): void {
  const a = d.s32min + s.s32min, b = d.s32max + s.s32max;
  if (a < S32_MIN || a > S32_MAX || b < S32_MIN || b > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = a; d.s32max = b; }
  const c = d.u32min + s.u32min, e = d.u32max + s.u32max;
  if (c > U32_MAX || e > U32_MAX) { d.u32min = 0; d.u32max = U32_MAX; } else { d.u32min = c; d.u32max = e; }
}

function add64(d: BReg, s: BReg): void {
  const a = addOvfS(d.smin, s.smin), b = addOvfS(d.smax, s.smax);
  if (a === undefined || b === undefined) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = a; d.smax = b; }
  const c = d.umin + s.umin, e = d.umax + s.umax;
  if (c > U64_MAX || e > U64_MAX) { d.umin = 0n; d.umax = U64_MAX; } else { d.umin = c; d.umax = e; }
}

function sub32(d: BReg, s: BReg): void {
  const a = d.s32min - s.s32max, b = d.s32max - s.s32min;
  if (a < S32_MIN || a > S32_MAX || b < S32_MIN || b > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = a; d.s32max = b; }
  if (d.u32min < s.u32max) { d.u32min = 0; d.u32max = U32_MAX; } else { d.u32min -= s.u32max; d.u32max -= s.u32min; }
}

function sub64(d: BReg, s: BReg): void {
  const a = subOvfS(d.smin, s.smax), b = subOvfS(d.smax, s.smin);
  if (a === undefined || b === undefined) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = a; d.smax = b; }
  if (d.umin < s.umax) { d.umin = 0n; d.umax = U64_MAX; } else { d.umin -= s.umax; d.umax -= s.umin; }
}

function mul32(d: BReg, s: BReg): void {
  if (s.s32min < 0 || d.s32min < 0) { mark32Unbounded(d); return; }
  if (s.u32max > 0xffff || d.u32max > 0xffff) { mark32Unbounded(d); return; }
  d.u32min *= s.u32min;
  d.u32max *= s.u32max;
  if (d.u32max > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = d.u32min; d.s32max = d.u32max; }
}

function mul64(d: BReg, s: BReg): void {
  if (s.smin < 0n || d.smin < 0n) { mark64Unbounded(d); return; }
  if (s.umax > 0xffff_ffffn || d.umax > 0xffff_ffffn) { mark64Unbounded(d); return; }
  d.umin *= s.umin;
  d.umax *= s.umax;
  if (d.umax > S64_MAX) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = d.umin; d.smax = d.umax; }
}

function sub32Known(d: BReg): boolean { return isSubregConst(d); }

function and32(d: BReg, s: BReg): void {
  const t = tnumSubreg(d.varOff);
  if (isSubregConst(s) && sub32Known(d)) { mark32Known(d, Number(t.value)); return; }
  d.u32min = Number(t.value);
  d.u32max = Math.min(d.u32max, s.u32max);
  if ((d.u32min | 0) <= (d.u32max | 0)) { d.s32min = d.u32min | 0; d.s32max = d.u32max | 0; } else { d.s32min = S32_MIN; d.s32max = S32_MAX; }
}

function and64(d: BReg, s: BReg): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) { markKnown(d, d.varOff.value); return; }
  d.umin = d.varOff.value;
  d.umax = d.umax < s.umax ? d.umax : s.umax;
  if (s64(d.umin) <= s64(d.umax)) { d.smin = s64(d.umin); d.smax = s64(d.umax); } else { d.smin = S64_MIN; d.smax = S64_MAX; }
  updateBRegBounds(d);
}

function or32(d: BReg, s: BReg): void {
  const t = tnumSubreg(d.varOff);
  if (isSubregConst(s) && sub32Known(d)) { mark32Known(d, Number(t.value)); return; }
  d.u32min = Math.max(d.u32min, s.u32min);
  d.u32max = Number(t.value | t.mask);
  if ((d.u32min | 0) <= (d.u32max | 0)) { d.s32min = d.u32min | 0; d.s32max = d.u32max | 0; } else { d.s32min = S32_MIN; d.s32max = S32_MAX; }
}

function or64(d: BReg, s: BReg): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) { markKnown(d, d.varOff.value); return; }
  d.umin = d.umin > s.umin ? d.umin : s.umin;
  d.umax = d.varOff.value | d.varOff.mask;
  if (s64(d.umin) <= s64(d.umax)) { d.smin = s64(d.umin); d.smax = s64(d.umax); } else { d.smin = S64_MIN; d.smax = S64_MAX; }
  updateBRegBounds(d);
}

function xor32(d: BReg, s: BReg): void {
  const t = tnumSubreg(d.varOff);
  if (isSubregConst(s) && sub32Known(d)) { mark32Known(d, Number(t.value)); return; }
  d.u32min = Number(t.value);
  d.u32max = Number(t.value | t.mask);
  if ((d.u32min | 0) <= (d.u32max | 0)) { d.s32min = d.u32min | 0; d.s32max = d.u32max | 0; } else { d.s32min = S32_MIN; d.s32max = S32_MAX; }
}

function xor64(d: BReg, s: BReg): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) { markKnown(d, d.varOff.value); return; }
  d.umin = d.varOff.value;
  d.umax = d.varOff.value | d.varOff.mask;
  if (s64(d.umin) <= s64(d.umax)) { d.smin = s64(d.umin); d.smax = s64(d.umax); } else { d.smin = S64_MIN; d.smax = S64_MAX; }
  updateBRegBounds(d);
}

function lsh32Bounds(d: BReg, umin: number, umax: number): void {
  d.s32min = S32_MIN; d.s32max = S32_MAX;
  if (umax > 31 || d.u32max > 2 ** (31 - umax)) { d.u32min = 0; d.u32max = U32_MAX; } else {
    d.u32min = (d.u32min * 2 ** umin) >>> 0;
    d.u32max = (d.u32max * 2 ** umax) >>> 0;
  }
}

function lsh32(d: BReg, s: BReg): void {
  const sub = tnumSubreg(d.varOff);
  lsh32Bounds(d, s.u32min, s.u32max);
  d.varOff = tnumSubreg(tnumLshift(sub, s.u32min));
  mark64Unbounded(d);
  updateBRegBounds(d);
}

function lsh64(d: BReg, s: BReg): void {
  const umin = Number(s.umin), umax = Number(s.umax);
  if (umin === 32 && umax === 32) {
    d.smax = BigInt(d.s32max) << 32n;
    d.smin = BigInt(d.s32min) << 32n;
  } else { d.smax = S64_MAX; d.smin = S64_MIN; }
  if (d.umax > 1n << BigInt(63 - umax)) { d.umin = 0n; d.umax = U64_MAX; } else {
    d.umin <<= BigInt(umin); d.umax <<= BigInt(umax);
  }
  lsh32Bounds(d, umin, umax);
  d.varOff = tnumLshift(d.varOff, umin);
  updateBRegBounds(d);
}

function rsh32(d: BReg, s: BReg): void {
  const sub = tnumSubreg(d.varOff);
  d.s32min = S32_MIN; d.s32max = S32_MAX;
  d.varOff = tnumRshift(sub, s.u32min);
  d.u32min = d.u32min >>> s.u32max;
  d.u32max = d.u32max >>> s.u32min;
  mark64Unbounded(d);
  updateBRegBounds(d);
}

function rsh64(d: BReg, s: BReg): void {
  d.smin = S64_MIN; d.smax = S64_MAX;
  d.varOff = tnumRshift(d.varOff, Number(s.umin));
  d.umin >>= s.umax;
  d.umax >>= s.umin;
  mark32Unbounded(d);
  updateBRegBounds(d);
}

function arsh32(d: BReg, s: BReg): void {
  const sh = s.u32min;
  d.s32min = d.s32min >> sh;
  d.s32max = d.s32max >> sh;
  d.varOff = tnumArshift(tnumSubreg(d.varOff), sh, 32);
  d.u32min = 0; d.u32max = U32_MAX;
  mark64Unbounded(d);
  updateBRegBounds(d);
}

function arsh64(d: BReg, s: BReg): void {
  const sh = s.umin;
  d.smin >>= sh;
  d.smax >>= sh;
  d.varOff = tnumArshift(d.varOff, Number(sh), 64);
  d.umin = 0n; d.umax = U64_MAX;
  mark32Unbounded(d);
  updateBRegBounds(d);
}

function safeToCompute(op: number, src: BReg, alu64: boolean, off: number): boolean {
  void off;
  let srcConst: boolean;
  if (!alu64) srcConst = isSubregConst(src) && src.s32min === src.s32max && src.u32min === src.u32max;
  else srcConst = tnumIsConst(src.varOff) && src.smin === src.smax && src.umin === src.umax;
  switch (op) {
    case 0x00: case 0x10: case 0x50: case 0xa0: case 0x40: case 0x20: return true;
    case 0x60: case 0x70: case 0xc0: return srcConst && src.umax < BigInt(alu64 ? 64 : 32);
    default: return false;
  }
}


function flipOpcode(op: number): number {
  switch (op) {
    case 0x30: return 0xb0; case 0x20: return 0xa0; case 0xb0: return 0x30; case 0xa0: return 0x20;
    case 0x70: return 0xd0; case 0x60: return 0xc0; case 0xd0: return 0x70; case 0xc0: return 0x60;
    default: return op;
  }
}


function regConstValue(r: BReg, jmp32: boolean): bigint {
  return jmp32 ? r.varOff.value & 0xffff_ffffn : r.varOff.value;
}

function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const mu = ~a.mask & ~b.mask & U64_MAX;
  return (a.value & mu) === (b.value & mu);
}


function scalarBranchTaken(r1: BReg, r2: BReg, op: number, jmp32: boolean): number {
  const t1 = jmp32 ? tnumSubreg(r1.varOff) : r1.varOff;
  const t2 = jmp32 ? tnumSubreg(r2.varOff) : r2.varOff;
  const umin1 = jmp32 ? BigInt(r1.u32min) : r1.umin, umax1 = jmp32 ? BigInt(r1.u32max) : r1.umax;
  const smin1 = jmp32 ? BigInt(r1.s32min) : r1.smin, smax1 = jmp32 ? BigInt(r1.s32max) : r1.smax;
  const umin2 = jmp32 ? BigInt(r2.u32min) : r2.umin, umax2 = jmp32 ? BigInt(r2.u32max) : r2.umax;
  const smin2 = jmp32 ? BigInt(r2.s32min) : r2.smin, smax2 = jmp32 ? BigInt(r2.s32max) : r2.smax;
  switch (op) {
    case 0x10: case 0x50: {
      const eq = op === 0x10;
      if (tnumIsConst(t1) && tnumIsConst(t2)) return (t1.value === t2.value) === eq ? 1 : 0;
      const differ = !tnumOverlap(t1, t2) || umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2 ||
        (!jmp32 && (r1.u32min > r2.u32max || r1.u32max < r2.u32min || r1.s32min > r2.s32max || r1.s32max < r2.s32min));
      if (differ) return eq ? 0 : 1;
      return -1;
    }
    case 0x40: {
      let a = r1, b = r2, ta = t1, tb = t2;
      if (!isRegConst(b, jmp32)) { [a, b] = [b, a]; [ta, tb] = [tb, ta]; }
      void a;
      if (!isRegConst(b, jmp32)) return -1;
      if ((~ta.mask & ta.value) & tb.value) return 1;
      if (!((ta.mask | ta.value) & tb.value)) return 0;
      return -1;
    }
    case 0x20: return umin1 > umax2 ? 1 : umax1 <= umin2 ? 0 : -1;
    case 0x60: return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
    case 0xa0: return umax1 < umin2 ? 1 : umin1 >= umax2 ? 0 : -1;
    case 0xc0: return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
    case 0x30: return umin1 >= umax2 ? 1 : umax1 < umin2 ? 0 : -1;
    case 0x70: return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
    case 0xb0: return umax1 <= umin2 ? 1 : umin1 > umax2 ? 0 : -1;
    case 0xd0: return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
  }
  return -1;
}

/** regs_refine_cond_op: narrow both registers assuming `r1 op r2` holds. */
function refineCond(r1: BReg, r2: BReg, op: number, jmp32: boolean): void {
  if (op === 0x30 || op === 0x20 || op === 0x70 || op === 0x60) { op = flipOpcode(op); [r1, r2] = [r2, r1]; }
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
        r1.umin = bmax(r1.umin, r2.umin); r1.umax = bmin(r1.umax, r2.umax);
        r1.smin = bmax(r1.smin, r2.smin); r1.smax = bmin(r1.smax, r2.smax);
        r2.umin = r1.umin; r2.umax = r1.umax; r2.smin = r1.smin; r2.smax = r1.smax;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      break;
    case 0x50: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) break;
      const val = regConstValue(r2, jmp32);
      if (jmp32) {
        const v = Number(val);
        if (r1.u32min === v) r1.u32min = (r1.u32min + 1) >>> 0;
        if (r1.u32max === v) r1.u32max = (r1.u32max - 1) >>> 0;
        if (r1.s32min === (v | 0)) r1.s32min = (r1.s32min + 1) | 0;
        if (r1.s32max === (v | 0)) r1.s32max = (r1.s32max - 1) | 0;
      } else {
        if (r1.umin === val) r1.umin = u64(r1.umin + 1n);
        if (r1.umax === val) r1.umax = u64(r1.umax - 1n);
        if (r1.smin === s64(val)) r1.smin = s64(r1.smin + 1n);
        if (r1.smax === s64(val)) r1.smax = s64(r1.smax - 1n);
      }
      break;
    }
    case 0x40: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) break;
      const val = regConstValue(r2, jmp32);
      if (val === 0n || (val & (val - 1n)) !== 0n) break;
      if (jmp32) r1.varOff = tnumWithSubreg(r1.varOff, tnumOr(tnumSubreg(r1.varOff), tnumConst(val)));
      else r1.varOff = tnumOr(r1.varOff, tnumConst(val));
      break;
    }
    case 0x48: {
      if (!isRegConst(r2, jmp32)) [r1, r2] = [r2, r1];
      if (!isRegConst(r2, jmp32)) break;
      const val = regConstValue(r2, jmp32);
      markUnbounded(r1);
      if (jmp32) r1.varOff = tnumWithSubreg(r1.varOff, tnumAnd(tnumSubreg(r1.varOff), tnumConst(~val & 0xffff_ffffn)));
      else r1.varOff = tnumAnd(r1.varOff, tnumConst(~val & U64_MAX));
      break;
    }
    case 0xb0:
      if (jmp32) { r1.u32max = Math.min(r1.u32max, r2.u32max); r2.u32min = Math.max(r1.u32min, r2.u32min); }
      else { r1.umax = bmin(r1.umax, r2.umax); r2.umin = bmax(r1.umin, r2.umin); }
      break;
    case 0xa0:
      if (jmp32) { r1.u32max = Math.min(r1.u32max, (r2.u32max - 1) >>> 0); r2.u32min = Math.max((r1.u32min + 1) >>> 0, r2.u32min); }
      else { r1.umax = bmin(r1.umax, u64(r2.umax - 1n)); r2.umin = bmax(u64(r1.umin + 1n), r2.umin); }
      break;
    case 0xd0:
      if (jmp32) { r1.s32max = Math.min(r1.s32max, r2.s32max); r2.s32min = Math.max(r1.s32min, r2.s32min); }
      else { r1.smax = bmin(r1.smax, r2.smax); r2.smin = bmax(r1.smin, r2.smin); }
      break;
    case 0xc0:
      if (jmp32) { r1.s32max = Math.min(r1.s32max, (r2.s32max - 1) | 0); r2.s32min = Math.max((r1.s32min + 1) | 0, r2.s32min); }
      else { r1.smax = bmin(r1.smax, s64(r2.smax - 1n)); r2.smin = bmax(s64(r1.smin + 1n), r2.smin); }
      break;
  }
}


// ---- conversions and random inputs -----------------------------------------------------------

const hi = (x: bigint): number => Number(BigInt.asUintN(64, x) >> 32n) | 0;
const lo = (x: bigint): number => Number(BigInt.asUintN(64, x) & 0xffff_ffffn) | 0;
const toT = (t: Tnum): T.Tnum => T.tnum(hi(t.value), lo(t.value), hi(t.mask), lo(t.mask));
const fromT = (t: T.Tnum): Tnum => ({ value: T.tnumValueBig(t), mask: T.tnumMaskBig(t) });

function checkHalves(r: R.Reg, what: string): void {
  const t = r.varOff;
  for (const [k, v] of Object.entries({ ...t, sminH: r.sminH, sminL: r.sminL, smaxH: r.smaxH, smaxL: r.smaxL, uminH: r.uminH, uminL: r.uminL, umaxH: r.umaxH, umaxL: r.umaxL })) {
    assert.ok(v === (v | 0), `${what}: ${k}=${v} is not stored as an int32`);
  }
  assert.ok(r.u32min === r.u32min >>> 0 && r.u32max === r.u32max >>> 0 && r.s32min === (r.s32min | 0) && r.s32max === (r.s32max | 0), `${what}: 32-bit bounds`);
}

function toR(b: BReg): R.Reg {
  const r = R.unknownScalar();
  r.varOff = toT(b.varOff);
  R.setSBounds(r, b.smin, b.smax);
  R.setUBounds(r, b.umin, b.umax);
  r.s32min = b.s32min; r.s32max = b.s32max; r.u32min = b.u32min; r.u32max = b.u32max;
  return r;
}

/** both as comparable plain values (the reference may leave an out-of-range BigInt in invalid states) */
function normB(b: BReg): object {
  return { value: u64(b.varOff.value), mask: u64(b.varOff.mask), smin: s64(b.smin), smax: s64(b.smax), umin: u64(b.umin), umax: u64(b.umax),
    s32min: b.s32min, s32max: b.s32max, u32min: b.u32min, u32max: b.u32max };
}
function normR(r: R.Reg, what: string): object {
  checkHalves(r, what);
  return { value: T.tnumValueBig(r.varOff), mask: T.tnumMaskBig(r.varOff), smin: R.sminOf(r), smax: R.smaxOf(r), umin: R.uminOf(r), umax: R.umaxOf(r),
    s32min: r.s32min, s32max: r.s32max, u32min: r.u32min, u32max: r.u32max };
}
const cloneB = (b: BReg): BReg => ({ ...b });

const inDomain = (b: BReg): boolean => b.umin >= 0n && b.umax >= 0n && b.umin <= U64_MAX && b.umax <= U64_MAX;

/**
 * n matches the reference b. In contradictory states (an impossible branch: s32min > s32max) the
 * reference could leave the u64 domain (a negative umax from BigInt(s32max)); there, as in the
 * kernel's C, the new code wraps modulo 2^64: both must then only agree that the state is invalid.
 */
function same(n: R.Reg, b: BReg, what: string): void {
  if (!inDomain(b)) {
    assert.ok(b.s32min > b.s32max && R.regBoundsInvalid(n), 'out of the u64 domain only in invalid states: ' + what);
    return;
  }
  assert.deepEqual(normR(n, what), normB(b), what);
}
const showB = (b: BReg): string => JSON.stringify(normB(b), (_k, v) => (typeof v === 'bigint' ? '0x' + u64(v).toString(16) : v));

let seed = 0x2545f491;
function rnd32(): number {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return seed >>> 0;
}
const rnd = (n: number): number => rnd32() % n;
const EDGES: bigint[] = [0n, 1n, 2n, 3n, 7n, 8n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x1_0000n,
  0x7fff_ffffn, 0x8000_0000n, 0xffff_fffen, 0xffff_ffffn, 1n << 32n, (1n << 32n) + 1n, 0x1_ffff_ffffn, 1n << 53n, (1n << 53n) + 1n,
  (1n << 63n) - 1n, 1n << 63n, (1n << 63n) + 1n, U64_MAX - 1n, U64_MAX, 0xffff_ffff_8000_0000n, 0xffff_ffff_7fff_ffffn,
  0xffff_ffff_0000_0000n, u64(-4096n), u64(-512n), u64(-8n)];
function r64(): bigint {
  switch (rnd(7)) {
    case 0: case 1: return EDGES[rnd(EDGES.length)];
    case 2: return u64(EDGES[rnd(EDGES.length)] + BigInt(rnd(5)) - 2n);
    case 3: return (BigInt(rnd32()) << 32n) | BigInt(rnd32());
    case 4: return BigInt(rnd(0x1_0000));
    case 5: return ((BigInt(rnd32()) << 32n) | BigInt(rnd32())) >> BigInt(rnd(64));
    default: return u64(-BigInt(rnd(0x1_0000)));
  }
}
function rMask(): bigint {
  switch (rnd(6)) {
    case 0: return 0n;
    case 1: return (1n << BigInt(rnd(65))) - 1n;
    case 2: return u64(((1n << BigInt(rnd(65))) - 1n) << BigInt(rnd(64)));
    case 3: return U64_MAX;
    case 4: return 0xffff_ffffn;
    default: return r64();
  }
}
function rTnum(): Tnum {
  const mask = rMask();
  return { value: r64() & ~mask & U64_MAX, mask };
}
const sortU = (a: bigint, b: bigint): [bigint, bigint] => (a <= b ? [a, b] : [b, a]);
const sortS = (a: bigint, b: bigint): [bigint, bigint] => (s64(a) <= s64(b) ? [s64(a), s64(b)] : [s64(b), s64(a)]);
function rReg(): BReg {
  const r: BReg = { varOff: TNUM_UNKNOWN, smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX, s32min: S32_MIN, s32max: S32_MAX, u32min: 0, u32max: U32_MAX };
  const k = rnd(8);
  if (k === 0) { markKnown(r, r64()); return r; }
  if (k & 1) r.varOff = rTnum();
  if (k & 2) [r.umin, r.umax] = sortU(r64(), r64());
  if (k & 4) [r.smin, r.smax] = sortS(r64(), r64());
  if (rnd(3) === 0) {
    const a = rnd32(), b = rnd32();
    [r.u32min, r.u32max] = a <= b ? [a, b] : [b, a];
    [r.s32min, r.s32max] = (a | 0) <= (b | 0) ? [a | 0, b | 0] : [b | 0, a | 0];
  }
  regBoundsSync(r);
  return r;
}

// ---- tests -----------------------------------------------------------------------------------

test('num64: comparisons, multiplication and conversions of halves match BigInt', () => {
  for (let i = 0; i < ROUNDS * 5; i++) {
    const a = r64(), b = r64();
    const [ah, al, bh, bl] = [hi(a), lo(a), hi(b), lo(b)];
    const what = `a=0x${a.toString(16)} b=0x${b.toString(16)}`;
    assert.equal(R.ult(ah, al, bh, bl), a < b, what);
    assert.equal(R.ule(ah, al, bh, bl), a <= b, what);
    assert.equal(R.slt(ah, al, bh, bl), s64(a) < s64(b), what);
    assert.equal(R.sle(ah, al, bh, bl), s64(a) <= s64(b), what);
    assert.equal(R.bigU(ah, al), a, what);
    assert.equal(R.bigS(ah, al), s64(a), what);
    assert.equal(R.hiB(a), ah, what);
    assert.equal(R.loB(a), al, what);
    T.mul64(ah, al, bh, bl);
    assert.equal(R.bigU(T.mulHi(), T.mulLo()), u64(a * b), what + ' mul');
    const t = T.tnumConst(ah, al);
    assert.equal(T.tnumUNum(t), Number(a), what);
    assert.equal(T.tnumSNum(t), Number(s64(a)), what);
    if (s64(a) > -(2n ** 53n) && s64(a) < 2n ** 53n) {
      const n = Number(s64(a));
      assert.equal(T.hiOf(n), ah, what);
      assert.deepEqual(T.tnumConstNum(n), t, what);
    }
  }
});

test('num64: tnum operations match the BigInt tnums', () => {
  for (let i = 0; i < ROUNDS * 2; i++) {
    const a = rTnum(), b = rTnum();
    const na = toT(a), nb = toT(b);
    const sh = rnd(64), sh32 = rnd(32);
    const what = `a=${tnumStr(a)} b=${tnumStr(b)} shift=${sh}`;
    assert.deepEqual(fromT(na), a, what);
    assert.deepEqual(fromT(T.tnumAdd(na, nb)), tnumAdd(a, b), 'add ' + what);
    assert.deepEqual(fromT(T.tnumSub(na, nb)), tnumSub(a, b), 'sub ' + what);
    assert.deepEqual(fromT(T.tnumAnd(na, nb)), tnumAnd(a, b), 'and ' + what);
    assert.deepEqual(fromT(T.tnumOr(na, nb)), tnumOr(a, b), 'or ' + what);
    assert.deepEqual(fromT(T.tnumXor(na, nb)), tnumXor(a, b), 'xor ' + what);
    assert.deepEqual(fromT(T.tnumMul(na, nb)), tnumMul(a, b), 'mul ' + what);
    assert.deepEqual(fromT(T.tnumIntersect(na, nb)), tnumIntersect(a, b), 'intersect ' + what);
    assert.deepEqual(fromT(T.tnumLshift(na, sh)), tnumLshift(a, sh), 'lshift ' + what);
    assert.deepEqual(fromT(T.tnumRshift(na, sh)), tnumRshift(a, sh), 'rshift ' + what);
    assert.deepEqual(fromT(T.tnumArshift(na, sh, 64)), tnumArshift(a, sh, 64), 'arshift64 ' + what);
    assert.deepEqual(fromT(T.tnumArshift(T.tnumSubreg(na), sh32, 32)), tnumArshift(tnumSubreg(a), sh32, 32), 'arshift32 ' + what);
    for (const size of [1, 2, 4, 8]) {
      assert.deepEqual(fromT(T.tnumCast(na, size)), tnumCast(a, size), `cast ${size} ` + what);
      assert.equal(T.tnumIsAligned(na, size), tnumIsAligned(a, size), `aligned ${size} ` + what);
    }
    assert.deepEqual(fromT(T.tnumSubreg(na)), tnumSubreg(a), 'subreg ' + what);
    assert.deepEqual(fromT(T.tnumClearSubreg(na)), tnumClearSubreg(a), 'clear subreg ' + what);
    assert.deepEqual(fromT(T.tnumWithSubreg(na, nb)), tnumWithSubreg(a, tnumAnd(b, { value: 0xffff_ffffn, mask: 0n })), 'with subreg ' + what);
    assert.equal(T.tnumIn(na, nb), tnumIn(a, b), 'in ' + what);
    assert.equal(T.tnumIn(na, T.tnumIntersect(na, nb)), tnumIn(a, tnumIntersect(a, b)), 'in ' + what);
    assert.equal(T.tnumEquals(na, nb), tnumEquals(a, b), what);
    assert.equal(T.tnumIsConst(na), tnumIsConst(a), what);
    assert.equal(T.tnumIsUnknown(na), tnumIsUnknown(a), what);
    assert.equal(T.tnumStr(na), tnumStr(a), what);
    const [mn, mx] = sortU(r64(), r64());
    assert.deepEqual(fromT(T.tnumRangeBig(mn, mx)), tnumRange(mn, mx), `range 0x${mn.toString(16)} 0x${mx.toString(16)}`);
  }
  // the worst case of the multiplication loop: every bit unknown
  assert.deepEqual(fromT(T.tnumMul(T.TNUM_UNKNOWN, T.TNUM_UNKNOWN)), tnumMul(TNUM_UNKNOWN, TNUM_UNKNOWN));
});

test('num64: reg_bounds_sync, zext and coercion match the BigInt bounds', () => {
  for (let i = 0; i < ROUNDS * 2; i++) {
    const b = rReg();
    // unsynced input: random bounds and tnum as they are
    const raw: BReg = { ...b, varOff: rTnum() };
    if (rnd(2)) [raw.umin, raw.umax] = sortU(r64(), r64());
    if (rnd(2)) [raw.smin, raw.smax] = sortS(r64(), r64());
    for (const src of [b, raw]) {
      if (!inDomain(src)) continue; // see same()
      const what = showB(src);
      const n = toR(src);
      same(n, src, 'conversion ' + what);
      const rb = cloneB(src); regBoundsSync(rb);
      const rn = toR(src); R.regBoundsSync(rn);
      same(rn, rb, 'sync ' + what);
      assert.equal(R.regBoundsInvalid(rn), regBoundsInvalid(rb), 'invalid ' + what);
      const zb = cloneB(src); zext32To64(zb);
      const zn = toR(src); R.zext32To64(zn);
      same(zn, zb, 'zext ' + what);
      for (const size of [1, 2, 4]) {
        const cb = cloneB(src); coerceToSize(cb, size);
        const cn = toR(src); R.coerceToSize(cn, size);
        same(cn, cb, `coerce ${size} ` + what);
      }
    }
    // rangeWithin / boundsEqual against BigInt comparisons
    const c = rReg(), o = rnd(4) === 0 ? cloneB(c) : rReg();
    if (!inDomain(c) || !inDomain(o)) continue;
    const within = o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax &&
      o.u32min <= c.u32min && o.u32max >= c.u32max && o.s32min <= c.s32min && o.s32max >= c.s32max;
    assert.equal(R.rangeWithin(toR(o), toR(c)), within);
    assert.equal(R.boundsEqual(toR(o), toR(c)), showB({ ...o, varOff: c.varOff }) === showB(c));
  }
});

const ALU_OPS = [0x00, 0x10, 0x20, 0x50, 0x40, 0xa0, 0x60, 0x70, 0xc0];

function aluRef(d: BReg, s: BReg, op: number, alu64: boolean): void {
  if (!safeToCompute(op, s, alu64, 0)) { markUnknown(d); return; }
  switch (op) {
    case 0x00: add32(d, s); add64(d, s); d.varOff = tnumAdd(d.varOff, s.varOff); break;
    case 0x10: sub32(d, s); sub64(d, s); d.varOff = tnumSub(d.varOff, s.varOff); break;
    case 0x20: d.varOff = tnumMul(d.varOff, s.varOff); mul32(d, s); mul64(d, s); break;
    case 0x50: d.varOff = tnumAnd(d.varOff, s.varOff); and32(d, s); and64(d, s); break;
    case 0x40: d.varOff = tnumOr(d.varOff, s.varOff); or32(d, s); or64(d, s); break;
    case 0xa0: d.varOff = tnumXor(d.varOff, s.varOff); xor32(d, s); xor64(d, s); break;
    case 0x60: if (alu64) lsh64(d, s); else lsh32(d, s); break;
    case 0x70: if (alu64) rsh64(d, s); else rsh32(d, s); break;
    case 0xc0: if (alu64) arsh64(d, s); else arsh32(d, s); break;
  }
  if (!alu64) zext32To64(d);
  regBoundsSync(d);
}

function aluNew(d: R.Reg, s: R.Reg, op: number, alu64: boolean): void {
  if (!S.safeToCompute(op, s, alu64, 0)) { R.markUnknown(d); return; }
  switch (op) {
    case 0x00: S.add32(d, s); S.add64(d, s); d.varOff = T.tnumAdd(d.varOff, s.varOff); break;
    case 0x10: S.sub32(d, s); S.sub64(d, s); d.varOff = T.tnumSub(d.varOff, s.varOff); break;
    case 0x20: d.varOff = T.tnumMul(d.varOff, s.varOff); S.mul32(d, s); S.mul64(d, s); break;
    case 0x50: d.varOff = T.tnumAnd(d.varOff, s.varOff); S.and32(d, s); S.and64(d, s); break;
    case 0x40: d.varOff = T.tnumOr(d.varOff, s.varOff); S.or32(d, s); S.or64(d, s); break;
    case 0xa0: d.varOff = T.tnumXor(d.varOff, s.varOff); S.xor32(d, s); S.xor64(d, s); break;
    case 0x60: if (alu64) S.lsh64(d, s); else S.lsh32(d, s); break;
    case 0x70: if (alu64) S.rsh64(d, s); else S.rsh32(d, s); break;
    case 0xc0: if (alu64) S.arsh64(d, s); else S.arsh32(d, s); break;
  }
  if (!alu64) R.zext32To64(d);
  R.regBoundsSync(d);
}

test('num64: scalar ALU bounds (add/sub/mul/and/or/xor/shifts, 64 and 32 bit) match the BigInt bounds', () => {
  for (let i = 0; i < ROUNDS * 2; i++) {
    const op = ALU_OPS[rnd(ALU_OPS.length)];
    const alu64 = rnd(2) === 0;
    const d = rReg();
    let s = rReg();
    if (op >= 0x60 && rnd(8) !== 0) { s = rReg(); markKnown(s, BigInt(rnd(alu64 ? 64 : 32))); }
    if (regBoundsInvalid(d) || regBoundsInvalid(s)) continue;
    const what = `op ${op.toString(16)} alu64=${alu64} d=${showB(d)} s=${showB(s)}`;
    const db = cloneB(d); aluRef(db, s, op, alu64);
    const dn = toR(d); aluNew(dn, toR(s), op, alu64);
    same(dn, db, what);
  }
});

test('num64: sign extension (movsx, ldsx) matches the BigInt version', () => {
  for (let i = 0; i < ROUNDS; i++) {
    const d = rReg();
    if (regBoundsInvalid(d)) continue;
    const what = showB(d);
    for (const bytes of [1, 2, 4]) {
      const b = cloneB(d); signExtend(b, bytes);
      const n = toR(d); S.signExtend(n, bytes);
      same(n, b, `movsx64 ${bytes} ${what}`);
      assert.equal(S.fitsSigned(toR(d), bytes * 8), fitsSigned(d, bytes * 8), `fits ${bytes} ${what}`);
      const l = cloneB(d); signExtendLoad(l, bytes);
      const m = toR(d); S.signExtendLoad(m, bytes);
      same(m, l, `ldsx ${bytes} ${what}`);
      if (bytes < 4) {
        const b32 = cloneB(d); signExtend32(b32, bytes);
        const n32 = toR(d); S.signExtend32(n32, bytes);
        same(n32, b32, `movsx32 ${bytes} ${what}`);
      }
    }
  }
});

const JMP_OPS = [0x10, 0x50, 0x40, 0x20, 0x30, 0xa0, 0xb0, 0x60, 0x70, 0xc0, 0xd0];

test('num64: branch prediction and refinement match the BigInt version', () => {
  for (let i = 0; i < ROUNDS * 2; i++) {
    const op = JMP_OPS[rnd(JMP_OPS.length)];
    const jmp32 = rnd(3) === 0;
    const a = rReg();
    let b = rReg();
    if (rnd(2)) { b = rReg(); markKnown(b, rnd(2) ? r64() : BigInt(rnd(3)) << BigInt(rnd(64))); }
    if (rnd(4) === 0) b = cloneB(a);
    if (regBoundsInvalid(a) || regBoundsInvalid(b)) continue;
    const what = `op ${op.toString(16)} jmp32=${jmp32} a=${showB(a)} b=${showB(b)}`;
    assert.equal(S.scalarBranchTaken(toR(a), toR(b), op, jmp32), scalarBranchTaken(a, b, op, jmp32), 'taken ' + what);
    // refine for the branch and for its negation (JSET's negation is the internal 0x48)
    const neg: Record<number, number> = { 0x10: 0x50, 0x50: 0x10, 0x40: 0x48, 0x20: 0xb0, 0xb0: 0x20, 0x30: 0xa0, 0xa0: 0x30, 0x60: 0xd0, 0xd0: 0x60, 0x70: 0xc0, 0xc0: 0x70 };
    for (const o of [op, neg[op]]) {
      const ab = cloneB(a), bb = cloneB(b);
      refineCond(ab, bb, o, jmp32);
      const an = toR(a), bn = toR(b);
      S.refineCond(an, bn, o, jmp32);
      same(an, ab, `refine ${o.toString(16)} r1 ` + what);
      same(bn, bb, `refine ${o.toString(16)} r2 ` + what);
      regBoundsSync(ab); regBoundsSync(bb); R.regBoundsSync(an); R.regBoundsSync(bn);
      same(an, ab, `refine+sync ${o.toString(16)} r1 ` + what);
      same(bn, bb, `refine+sync ${o.toString(16)} r2 ` + what);
    }
  }
});

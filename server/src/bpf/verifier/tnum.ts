// Tracked numbers ("tnums"): a 64-bit value of which some bits are known and some unknown, the
// kernel's abstraction for bit-level knowledge of scalars (kernel/bpf/tnum.c). Bits set in `mask`
// are unknown; `value` holds the known bits (and is 0 where mask is 1).
// Values are unsigned 64-bit BigInts in [0, 2^64). BigInt keeps the arithmetic exact and simple;
// all uses sit behind these functions, so the representation can change without touching callers.

export interface Tnum { readonly value: bigint; readonly mask: bigint }

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
export const U32_MAX_N = 0xffff_ffffn;
export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;

export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

export const TNUM_UNKNOWN: Tnum = { value: 0n, mask: U64_MAX };
export const TNUM_ZERO: Tnum = { value: 0n, mask: 0n };

export function tnum(value: bigint, mask: bigint): Tnum {
  return { value, mask };
}

export function tnumConst(v: bigint): Tnum {
  return { value: u64(v), mask: 0n };
}

export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

export function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === U64_MAX;
}

export function tnumEquals(a: Tnum, b: Tnum): boolean {
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
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: clearBits(min, delta), mask: delta };
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return { value: u64(a.value << s), mask: u64(a.mask << s) };
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return { value: a.value >> s, mask: a.mask >> s };
}

export function tnumArshift(a: Tnum, minShift: number, bits: 32 | 64): Tnum {
  const s = BigInt(minShift);
  if (bits === 32) {
    return {
      value: BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s),
      mask: BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s),
    };
  }
  return { value: u64(s64(a.value) >> s), mask: u64(s64(a.mask) >> s) };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = a.mask + b.mask;
  const sv = a.value + b.value;
  const sigma = sm + sv;
  const chi = u64(sigma ^ sv);
  const mu = chi | a.mask | b.mask;
  return { value: clearBits(u64(sv), mu), mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: clearBits(dv, mu), mask: mu };
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: clearBits(alpha & beta, v) };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: clearBits(mu, v) };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: clearBits(v, mu), mask: mu };
}

export function tnumMul(a: Tnum, b: Tnum): Tnum {
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

export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: clearBits(v, mu), mask: mu };
}

export function tnumCast(a: Tnum, sizeBytes: number): Tnum {
  if (sizeBytes >= 8) return a;
  const m = (1n << BigInt(sizeBytes * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** Whether every value of b is a value of a (b is a subset of a). */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  // b.mask within a.mask, and a.value === b.value & ~a.mask; written with fewer BigInt operations
  // (each allocates) since pruning calls this for every register it compares
  if ((b.mask | a.mask) !== a.mask) return false;
  return a.value === ((b.value | a.mask) ^ a.mask);
}

export function tnumSubreg(a: Tnum): Tnum {
  return tnumCast(a, 4);
}

export function tnumClearSubreg(a: Tnum): Tnum {
  return tnumLshift(tnumRshift(a, 32), 32);
}

export function tnumWithSubreg(reg: Tnum, sub: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(sub));
}

export function tnumConstSubreg(a: Tnum, v: number): Tnum {
  return tnumWithSubreg(a, tnumConst(BigInt(v >>> 0)));
}

/** The kernel's "(0x..; 0x..)" rendering. */
export function tnumStr(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}

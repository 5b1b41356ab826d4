// 64-bit arithmetic on (hi, lo) int32 halves for the cases that are not one or two JS operations.
// Division and remainder with a non-zero high half use BigInt: rare in real programs.

/** high 32 bits of the unsigned 64-bit product of two uint32 values */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

export function toBig(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function toBigSigned(hi: number, lo: number): bigint {
  return BigInt.asIntN(64, toBig(hi, lo));
}

/** result halves of the last split() */
export const out = { lo: 0, hi: 0 };

export function split(v: bigint): void {
  const u = BigInt.asUintN(64, v);
  out.lo = Number(u & 0xffffffffn) | 0;
  out.hi = Number(u >> 32n) | 0;
}

/** unsigned 64-bit division; the kernel's division by zero gives 0 */
export function udiv64(ah: number, al: number, bh: number, bl: number): void {
  if (bh === 0 && bl === 0) { out.lo = 0; out.hi = 0; return; }
  if (ah === 0 && bh === 0) { out.lo = Math.floor((al >>> 0) / (bl >>> 0)) | 0; out.hi = 0; return; }
  split(toBig(ah, al) / toBig(bh, bl));
}

/** unsigned 64-bit remainder; modulo by zero keeps the dividend */
export function umod64(ah: number, al: number, bh: number, bl: number): void {
  if (bh === 0 && bl === 0) { out.lo = al; out.hi = ah; return; }
  if (ah === 0 && bh === 0) { out.lo = ((al >>> 0) % (bl >>> 0)) | 0; out.hi = 0; return; }
  split(toBig(ah, al) % toBig(bh, bl));
}

/** signed 64-bit division (v4 sdiv): by zero gives 0, INT64_MIN / -1 gives INT64_MIN */
export function sdiv64(ah: number, al: number, bh: number, bl: number): void {
  if (bh === 0 && bl === 0) { out.lo = 0; out.hi = 0; return; }
  const b = toBigSigned(bh, bl);
  if (b === -1n) { split(-toBigSigned(ah, al)); return; }
  split(toBigSigned(ah, al) / b); // BigInt division truncates toward zero like C
}

/** signed 64-bit remainder (v4 smod): by zero keeps the dividend, by -1 gives 0 */
export function smod64(ah: number, al: number, bh: number, bl: number): void {
  if (bh === 0 && bl === 0) { out.lo = al; out.hi = ah; return; }
  const b = toBigSigned(bh, bl);
  if (b === -1n) { out.lo = 0; out.hi = 0; return; }
  split(toBigSigned(ah, al) % b); // sign follows the dividend like C
}

export function sdiv32(a: number, b: number): number {
  if (b === 0) return 0;
  if (b === -1) return (-a) | 0;
  return Math.trunc(a / b) | 0;
}

export function smod32(a: number, b: number): number {
  if (b === 0) return a;
  if (b === -1) return 0;
  return (a % b) | 0;
}

export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff);
}

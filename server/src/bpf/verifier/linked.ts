// Linked scalars (the kernel's reg->id for scalars, sync_linked_regs): `r6 = r2` gives both the
// same id, and a branch refining one refines the other. With BPF_ADD_CONST, `r6 = r2; r6 += K`
// (64-bit add of a constant 0 <= K <= S32_MAX) keeps r6 linked to r2 with the flag and the offset
// K in r6.off, so a branch on either one refines the other shifted by the difference of offsets.
// Only one constant add is remembered: a second one, or copying a register that has one, unlinks.
import { Reg, RReg, RegType, copyRegInto, markKnownScalarNum, notInit, regBoundsSync, zext32To64 } from './reg';
import { add32, add64 } from './scalar';
import { tnumAdd } from './tnum';

/**
 * The flags marking a scalar id as "base register plus reg.off": added by a 64-bit or by a 32-bit
 * ALU op (the kernel's BPF_ADD_CONST64/BPF_ADD_CONST32, bits 31 and 30; here bits 30 and 29 so ids
 * stay positive int32).
 */
export const ADD_CONST64 = 0x40000000;
export const ADD_CONST32 = 0x20000000;
export const ADD_CONST = ADD_CONST64 | ADD_CONST32;

/** the id a register is linked by, without the flags */
export const baseId = (id: number): number => id & ~ADD_CONST;

/** clear_scalar_id */
export function clearScalarId(r: Reg): void {
  r.id = 0;
  r.off = 0;
}

/**
 * assign_scalar_id_before_mov's first half: a register already holding `+= K` unlinks before it
 * is copied (the copy could not carry a second offset).
 */
export function unlinkAddConstBeforeMov(src: Reg): void {
  if (src.type === RegType.SCALAR_VALUE && src.id & ADD_CONST) clearScalarId(src);
}

/**
 * After a scalar ALU op on dst (adjust_reg_min_max_vals): adding or subtracting a constant that
 * fits s32 keeps the link with the offset (for a 32-bit op only if dst's value fitted u32 before:
 * `dstWasU32`); anything else unlinks. `id0` is dst's id before the op.
 */
export function linkAfterAlu(dst: Reg, id0: number, dstWasU32: boolean, src: RReg, op: number, alu64: boolean, sameReg: boolean): void {
  if ((op === 0x00 || op === 0x10) && id0 && !sameReg && src.varOff.ml === 0 && (!alu64 || src.varOff.mh === 0)) {
    const lo = src.varOff.vl | 0, hi = src.varOff.vh | 0;
    let off = lo;
    let ok = !(id0 & ADD_CONST);
    if (alu64 && hi !== lo >> 31) ok = false; // outside [S32_MIN, S32_MAX]
    if (!alu64 && !dstWasU32) ok = false;
    if (op === 0x10) { if (off === -2147483648) ok = false; off = -off; }
    if (ok) {
      dst.id = id0 | (alu64 ? ADD_CONST64 : ADD_CONST32);
      dst.off = off;
      return;
    }
  }
  clearScalarId(dst);
}

const FAKE = notInit();

/** sync_linked_regs for one register: r takes known's state, shifted by their offsets' difference */
export function syncLinkedOne(r: Reg, known: RReg): void {
  if (r === known || r.type !== RegType.SCALAR_VALUE || baseId(r.id) !== baseId(known.id)) return;
  const keepPrecise = r.precise;
  if ((!(r.id & ADD_CONST) && !(known.id & ADD_CONST)) || r.off === known.off) {
    copyRegInto(r, known);
  } else {
    // a 64-bit link's upper half is not known from a 32-bit one's value: left as it is
    if (known.id & ADD_CONST32 && r.id & ADD_CONST64) return;
    const savedOff = r.off, savedId = r.id;
    markKnownScalarNum(FAKE, r.off - known.off);
    copyRegInto(r, known);
    r.off = savedOff;
    r.id = savedId;
    add32(r, FAKE);
    add64(r, FAKE);
    r.varOff = tnumAdd(r.varOff, FAKE.varOff);
    // values linked by a 32-bit add are zero-extended
    if ((known.id | savedId) & ADD_CONST32) zext32To64(r);
    regBoundsSync(r);
  }
  r.precise = keepPrecise || known.precise;
}

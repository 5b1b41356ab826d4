// One BPF instruction slot, its decoding from and encoding to the 8-byte wire format.
// A 16-byte LD_IMM64 occupies two slots, as in the kernel: the first carries the opcode and the
// low 32 bits, the second (opcode 0) the high 32 bits. Instruction indices are slot indices
// everywhere in bpfls, so they match the kernel's verifier log and BTF line_info.
import { BPF_DW, BPF_IMM, BPF_LD, BPF_INSN_SIZE } from './opcodes';

export interface Insn {
  code: number; // 8 bits
  dst: number; // 4 bits
  src: number; // 4 bits
  off: number; // signed 16 bits
  imm: number; // signed 32 bits
}

export const LD_IMM64 = BPF_LD | BPF_IMM | BPF_DW; // 0x18

export function isLdImm64(insn: Insn): boolean {
  return insn.code === LD_IMM64;
}

/** Decodes little-endian BPF bytecode. A trailing partial instruction is reported, not thrown. */
export function decodeInsns(bytes: Uint8Array): { insns: Insn[]; error?: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Math.floor(bytes.byteLength / BPF_INSN_SIZE);
  const insns: Insn[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * BPF_INSN_SIZE;
    const regs = view.getUint8(o + 1);
    insns[i] = {
      code: view.getUint8(o),
      dst: regs & 0x0f,
      src: regs >> 4,
      off: view.getInt16(o + 2, true),
      imm: view.getInt32(o + 4, true),
    };
  }
  const rem = bytes.byteLength % BPF_INSN_SIZE;
  return rem ? { insns, error: `trailing ${rem} bytes are not a whole instruction` } : { insns };
}

export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * BPF_INSN_SIZE);
  const view = new DataView(out.buffer);
  insns.forEach((insn, i) => {
    const o = i * BPF_INSN_SIZE;
    view.setUint8(o, insn.code & 0xff);
    view.setUint8(o + 1, ((insn.src & 0x0f) << 4) | (insn.dst & 0x0f));
    view.setInt16(o + 2, insn.off, true);
    view.setInt32(o + 4, insn.imm | 0, true);
  });
  return out;
}

/** The 64-bit immediate of an LD_IMM64 pair, as a BigInt (rare path: printing, assembling). */
export function imm64(lo: Insn, hi: Insn | undefined): bigint {
  const l = BigInt(lo.imm >>> 0);
  const h = BigInt((hi?.imm ?? 0) >>> 0);
  return (h << 32n) | l;
}

export function insn(code: number, dst = 0, src = 0, off = 0, imm = 0): Insn {
  return { code, dst, src, off, imm };
}

// Runs one program the way the bpf_conformance suite's plugin protocol expects: r1 points at the
// memory block (or is 0 without one), r2 holds its length, and the result is all of r0.
import { decodeInsns } from '../isa/insn';
import { ProgType } from '../progtypes';
import { Emulator, rawObject } from './emulator';
import { RegionKind } from './memory';

export interface ConformanceRun { r0: bigint; error?: string }

export function runConformanceProgram(code: Uint8Array, memory: Uint8Array, maxInsns = 1_000_000, jit: 'auto' | 'always' | 'never' = 'auto'): ConformanceRun {
  const dec = decodeInsns(code);
  if (dec.error) return { r0: 0n, error: dec.error };
  if (dec.insns.length === 0) return { r0: 0n, error: 'empty program' };
  const emu = new Emulator(rawObject(dec.insns, ProgType.UNSPEC), { maxInsns, jit });
  const args: { hi: number; lo: number }[] = [];
  if (memory.length) {
    const r = emu.vm.mem.add(RegionKind.Mem, 'memory', memory.slice());
    args.push({ hi: r.addrHi(), lo: r.addrLo(0) }, { hi: 0, lo: memory.length });
  }
  const prog = emu.decode(emu.obj.programs[0]);
  const res = emu.runDecoded(prog, ProgType.UNSPEC, { args });
  if (res.error) return { r0: res.r0, error: `${res.error.message}${res.error.insn >= 0 ? ` (instruction ${res.error.insn})` : ''}` };
  return { r0: res.r0 };
}

export function parseHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/0x/gi, '').replace(/[\s,]+/g, '');
  if (clean.length % 2 || /[^0-9a-f]/i.test(clean)) return undefined;
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

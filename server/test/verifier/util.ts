// Test helpers: build a loaded program from assembly text, run bpfls's verifier, and (when the
// machine allows it) the running kernel's, through kernel-oracle.py.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assemble } from '../../src/bpf/asm/assembler';
import type { LoadedObject, LoadedProgram, MapDef } from '../../src/bpf/loader/types';
import type { Insn } from '../../src/bpf/isa/insn';
import { verifyProgram, VerifyResult } from '../../src/bpf/verifier';

export interface MapSpec { type: number; keySize: number; valueSize: number; maxEntries: number; flags?: number;
  initialValue?: Uint8Array; frozen?: boolean; name?: string }

/** Assembles LLVM-syntax text; `rN = mK ll` loads map K (index into maps). */
export function build(asm: string, progType: number, maps: MapSpec[] = [], expectedAttachType = 0): { obj: LoadedObject; prog: LoadedProgram } {
  const r = assemble(asm);
  if (r.errors.some((e) => e.severity === 'error')) throw new Error(`asm: ${r.errors.map((e) => `${e.range.line + 1}: ${e.message}`).join('; ')}`);
  const insns: Insn[] = r.insns.map((i) => ({ ...i }));
  for (const sec of r.sections) {
    for (const rel of sec.relocs) {
      const m = /^m(\d+)$/.exec(rel.symbol);
      if (!m || rel.kind !== 'ld64') continue;
      const at = sec.start + rel.offset / 8;
      insns[at].src = 5;
      insns[at].imm = Number(m[1]);
    }
  }
  const mapDefs: MapDef[] = maps.map((m, index) => ({ index, name: m.name ?? `m${index}`, type: m.type, keySize: m.keySize,
    valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags ?? 0, initialValue: m.initialValue, frozen: m.frozen }));
  const prog: LoadedProgram = { name: 'test', section: 'test', progType, expectedAttachType, autoload: true, sleepable: false,
    insns, lineInfo: [], funcInfo: [], license: 'GPL', kernVersion: 0, problems: [] };
  return { obj: { programs: [prog], maps: mapDefs, license: 'GPL', kernVersion: 0, notes: [] }, prog };
}

export function bpfls(asm: string, progType: number, maps: MapSpec[] = [], eat = 0): VerifyResult {
  const { obj, prog } = build(asm, progType, maps, eat);
  return verifyProgram(obj, prog, {});
}

export interface KernelVerdict { ok: boolean; message: string; log: string }

let kernelUsable: boolean | string | undefined;

/** The kernel's verdict, or a string saying why the kernel cannot be asked here. */
export function kernel(asm: string, progType: number, maps: MapSpec[] = [], eat = 0): KernelVerdict | string {
  if (typeof kernelUsable === 'string') return kernelUsable;
  const { obj, prog } = build(asm, progType, maps, eat);
  const req = {
    progType, expectedAttachType: eat, logLevel: 1, license: 'GPL',
    insns: prog.insns.map((i) => [i.code, i.dst, i.src, i.off, i.imm]),
    maps: obj.maps.map((m) => ({ type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags,
      name: m.name, initialValue: m.initialValue ? Buffer.from(m.initialValue).toString('hex') : null, frozen: m.frozen })),
  };
  const r = spawnSync('python3', [join(__dirname, 'kernel-oracle.py')], { input: JSON.stringify(req), encoding: 'utf8', timeout: 20000 });
  if (r.error || r.status !== 0) { kernelUsable = `kernel oracle unavailable: ${r.error?.message ?? r.stderr}`; return kernelUsable; }
  const out = JSON.parse(r.stdout) as { ok?: boolean; log?: string; skip?: string };
  if (out.skip) { kernelUsable = `kernel oracle: ${out.skip}`; return kernelUsable; }
  kernelUsable = true;
  return { ok: !!out.ok, message: finalErrorLine(out.log ?? ''), log: out.log ?? '' };
}

/** The kernel log's final error line: the last line before "processed N insns". */
export function finalErrorLine(log: string): string {
  const lines = log.split('\n').filter((l) => l.length && !/^(cur|old) state:/.test(l));
  const p = lines.findIndex((l) => l.startsWith('processed '));
  const before = p >= 0 ? lines.slice(0, p) : lines;
  return before[before.length - 1] ?? '';
}

// The running kernel's verifier in the editor (opt-in: bpfls.kernelVerifier, trusted workspaces
// only). After each compile, in the analysis worker and after bpfls's own verifier, every
// autoloaded program is loaded alone into the kernel with bpftool (../../toolchain/kernel-verifier)
// and unloaded again; a rejection becomes an error on the source line of the failing instruction,
// and where the kernel and bpfls disagree an information finding quotes both (that is how users
// report verifier parity bugs).
import { registerObjectProvider, type ObjectContext } from '../../analysis/registry';
import type { CancellationToken, Finding, Range } from '../../analysis/types';
import type { DocumentSnapshot } from '../../analysis/document';
import { sourceForInsn, type LoadedProgram } from '../../bpf/loader';
import type { LoadedObject } from '../../bpf/loader/types';
import { verifyProgram } from '../../bpf/verifier';
import { progTypeName } from '../../bpf/progtypes';
import { kernelVerifyObject, type KernelVerdict } from '../../toolchain/kernel-verifier';
import { functionNameRange } from '../emulator';

export const KERNEL_VERIFIER = 'bpfls.kernel-verifier';
export const KERNEL_VERIFIER_UNAVAILABLE = 'bpfls.kernel-verifier-unavailable';
export const KERNEL_VERIFIER_MISMATCH = 'bpfls.kernel-verifier-mismatch';

/** bpfls's verdict is recomputed for the comparison; keep it inside an interactive budget. */
const BPFLS_TIME_BUDGET_MS = 20_000;

/** What a kernel finding carries (plain data). */
export interface KernelFindingData {
  prog: string;
  insn: number | null;
  message: string | null;
  logTail?: string;
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

function lineRange(doc: DocumentSnapshot, line1: number): Range | undefined {
  const line = line1 - 1;
  if (line < 0 || line >= doc.lineCount) return undefined;
  const text = doc.lineText(line);
  return { start: { line, character: Math.max(text.search(/\S/), 0) }, end: { line, character: text.length } };
}

/** The source range of an instruction in this document, or undefined (header, no line info). */
function insnRange(ctx: ObjectContext, prog: LoadedProgram, insn: number | null): Range | undefined {
  if (insn === null) return undefined;
  const src = sourceForInsn(prog, insn);
  if (!src) return undefined;
  if (src.fileName && src.fileName !== ctx.sourcePath && baseName(src.fileName) !== baseName(ctx.sourcePath)) return undefined;
  return lineRange(ctx.doc, src.line);
}

const docStart: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The kernel's and bpfls's verdicts differ: in acceptance, or in the message of a rejection. */
export function verdictsDisagree(kernel: { ok: boolean; message: string | null }, bpfls: { ok: boolean; message: string | null }): boolean {
  if (kernel.ok !== bpfls.ok) return true;
  return !kernel.ok && (kernel.message ?? '') !== (bpfls.message ?? '');
}

const describe = (ok: boolean, message: string | null, insn: number | null) =>
  ok ? 'accepted' : `rejected${insn !== null ? ` at insn ${insn}` : ''}: ${message ?? '(no message)'}`;

async function kernelFindings(ctx: ObjectContext, token: CancellationToken): Promise<Finding[]> {
  if (!ctx.settings.trusted) {
    return [{
      range: docStart, severity: 'information', code: KERNEL_VERIFIER_UNAVAILABLE, source: 'kernel',
      message: 'bpfls.kernelVerifier is ignored in an untrusted workspace (loading programs into the kernel runs code from it); trust the workspace to use it',
    }];
  }
  const obj: LoadedObject | undefined = ctx.load().object;
  if (!obj) return [];
  const progs = obj.programs.filter((p) => p.autoload);
  if (!progs.length) return [];
  const r = await kernelVerifyObject(ctx.elf, progs.map((p) => ({ name: p.name, section: p.section })), {
    isCancelled: () => token.isCancellationRequested,
  });
  if (r.unavailable) {
    // One finding for the document, not one per program or an error per edit.
    return [{
      range: functionNameRange(ctx.doc, progs[0].name) ?? docStart, severity: 'information', code: KERNEL_VERIFIER_UNAVAILABLE, source: 'kernel',
      message: `The kernel verifier is not used: ${r.unavailable}`,
    }];
  }
  const out: Finding[] = [];
  for (const prog of progs) {
    if (token.isCancellationRequested) break;
    const v: KernelVerdict | undefined = r.verdicts.find((x) => x.prog === prog.name);
    if (!v) continue;
    const nameRange = functionNameRange(ctx.doc, prog.name) ?? docStart;
    const head = `${prog.name}, ${progTypeName(prog.progType)}`;
    if (v.ok === null) {
      if (v.skip !== 'cancelled') {
        out.push({ range: nameRange, severity: 'information', code: KERNEL_VERIFIER_UNAVAILABLE, source: 'kernel', message: `The kernel did not verify ${prog.name}: ${v.skip ?? 'unknown reason'}` });
      }
      continue;
    }
    const data: KernelFindingData = { prog: prog.name, insn: v.insn, message: v.message, ...(v.logTail ? { logTail: v.logTail } : {}) };
    const here = v.ok ? undefined : insnRange(ctx, prog, v.insn);
    if (!v.ok) {
      out.push({
        range: here ?? nameRange, severity: 'error', code: KERNEL_VERIFIER, source: 'kernel',
        message: `${v.message ?? 'rejected (no error line in the log)'}\n(${head}${v.insn !== null ? `, insn ${v.insn}` : ''}; the running kernel's verifier refused this program)`,
        data,
      });
    }
    const started = Date.now();
    const mine = verifyProgram(obj, prog, { isCancelled: () => token.isCancellationRequested || Date.now() - started > BPFLS_TIME_BUDGET_MS, target: ctx.targetFacts?.() });
    if (token.isCancellationRequested) break;
    if (!mine.ok && !mine.error) continue; // bpfls gave up within its budget: nothing to compare
    const bpfls = { ok: mine.ok, message: mine.error?.message ?? null, insn: mine.error?.insn ?? null };
    if (!verdictsDisagree({ ok: v.ok, message: v.message }, bpfls)) continue;
    out.push({
      range: here ?? insnRange(ctx, prog, bpfls.insn) ?? nameRange, severity: 'information', code: KERNEL_VERIFIER_MISMATCH, source: 'kernel',
      message: `The kernel and bpfls disagree on ${prog.name} (${progTypeName(prog.progType)}):\n`
        + `kernel: ${describe(v.ok, v.message, v.insn)}\n`
        + `bpfls:  ${describe(bpfls.ok, bpfls.message, bpfls.insn)}\n`
        + 'Please report this as a bpfls verifier parity bug, with the program.',
      data: { ...data, bpfls },
    });
  }
  return out;
}

registerObjectProvider({
  id: 'kernel-verifier',
  languages: ['c', 'bpf-asm'],
  enabled: (s) => s.kernelVerifier,
  provideFindings: kernelFindings,
});

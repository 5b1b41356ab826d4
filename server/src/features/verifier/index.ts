// The verifier in the editor. After each compile (in the analysis worker) every program the
// loader finds is verified the way libbpf would load it; a rejection becomes an error on the
// source line the kernel would name (through .BTF.ext line_info), with the kernel's message and
// the branch decisions that led there as related information.
import { registerHoverProvider, registerObjectProvider, type ObjectContext } from '../../analysis/registry';
import type { CancellationToken, Finding, Range, RelatedInformation } from '../../analysis/types';
import type { DocumentSnapshot } from '../../analysis/document';
import { sourceForInsn, type LoadedProgram } from '../../bpf/loader';
import { verifyProgram } from '../../bpf/verifier';
import { progTypeName } from '../../bpf/progtypes';
import { functionNameRange } from '../emulator';
import { findInlineAsm, docOffset, type InlineAsmBlock } from '../asm/inline';
import { stateHover, statesFinding } from './states';

export const VERIFIER_ERROR = 'bpfls.verifier';
export const VERIFIER_NOTE = 'bpfls.verifier-note';

/** How many branch decisions of the failing path are listed (the last ones matter most). */
const MAX_PATH_ENTRIES = 12;
/** The editor verifies in the background; keep each program well inside an interactive budget. */
const EDITOR_TIME_BUDGET_MS = 20_000;

/** What a verifier error carries for code actions and the state hover (plain data). */
export interface VerifierFindingData {
  prog: string;
  insn: number;
  message: string;
  /** register and stack state before the failing instruction, kernel log notation */
  regs?: string;
  stack?: string;
}

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** True when a line_info file name denotes the document being analysed (not a header). */
function isThisDocument(fileName: string, sourcePath: string): boolean {
  if (!fileName) return true;
  return fileName === sourcePath || baseName(fileName) === baseName(sourcePath);
}

function lineRange(doc: DocumentSnapshot, line1: number, col1: number): Range | undefined {
  const line = line1 - 1;
  if (line < 0 || line >= doc.lineCount) return undefined;
  const text = doc.lineText(line);
  const first = text.search(/\S/);
  const start = col1 > 0 && col1 - 1 < text.length ? col1 - 1 : Math.max(first, 0);
  return { start: { line, character: start }, end: { line, character: text.length } };
}

function pathRelated(ctx: ObjectContext, prog: LoadedProgram, path: { insn: number; taken: boolean }[]): RelatedInformation[] {
  const out: RelatedInformation[] = [];
  let lastLine = -1;
  for (const step of path.slice(-MAX_PATH_ENTRIES)) {
    const src = sourceForInsn(prog, step.insn);
    if (!src || !isThisDocument(src.fileName, ctx.sourcePath)) continue;
    const range = lineRange(ctx.doc, src.line, 0);
    if (!range || (range.start.line === lastLine && out.length)) continue;
    lastLine = range.start.line;
    out.push({ range, message: `insn ${step.insn}: branch ${step.taken ? 'taken' : 'not taken'}` });
  }
  return out;
}

/**
 * In a naked function the C line info names the whole `asm volatile(...)` statement; the
 * instruction's place in its block names the asm line inside the string.
 */
function inlineAsmRange(ctx: ObjectContext, prog: LoadedProgram, insn: number, blocks: () => InlineAsmBlock[]): Range | undefined {
  const src = sourceForInsn(prog, insn);
  if (!src || !isThisDocument(src.fileName, ctx.sourcePath)) return undefined;
  const line = src.line - 1;
  const block = blocks().find((b) => ctx.doc.positionAt(b.start).line <= line && ctx.doc.positionAt(b.end).line >= line);
  if (!block || block.asm.errors.some((e) => e.severity === 'error')) return undefined;
  // The block's first instruction: the earliest line_info record of this line before `insn`.
  let first = src.insnOff;
  for (const li of prog.lineInfo) {
    if (li.line === src.line && li.insnOff < first && li.insnOff <= insn && sameBlockRun(prog, li.insnOff, src.insnOff, src.line)) first = li.insnOff;
  }
  const k = insn - first;
  const r = block.asm.sourceMap[k];
  if (!r || k >= block.asm.insns.length) return undefined;
  const start = ctx.doc.positionAt(docOffset(block, r.line, r.start));
  const endOff = docOffset(block, r.line, Math.max(r.start, r.end - 1)) + 1;
  return { start, end: ctx.doc.positionAt(endOff) };
}

/** True when every line_info record between two offsets names the same line (one asm statement). */
function sameBlockRun(prog: LoadedProgram, from: number, to: number, line: number): boolean {
  return prog.lineInfo.every((li) => li.insnOff < from || li.insnOff > to || li.line === line);
}

function verifyFindings(ctx: ObjectContext, token: CancellationToken): Finding[] {
  let blocks: InlineAsmBlock[] | undefined;
  const inlineBlocks = () => (blocks ??= ctx.doc.languageId === 'c' ? findInlineAsm(ctx.doc.text) : []);
  const obj = ctx.load().object;
  if (!obj) return [];
  const out: Finding[] = [];
  for (const prog of obj.programs) {
    if (token.isCancellationRequested) break;
    if (!prog.autoload) continue;
    const started = Date.now();
    const r = verifyProgram(obj, prog, {
      isCancelled: () => token.isCancellationRequested || Date.now() - started > EDITOR_TIME_BUDGET_MS,
      collectStates: true,
      target: ctx.targetFacts?.(),
    });
    const nameRange = functionNameRange(ctx.doc, prog.name);
    if (r.states?.length && nameRange) {
      const asmLines = ctx.doc.languageId === 'c' ? inlineBlocks().map((b) => [ctx.doc.positionAt(b.start).line, ctx.doc.positionAt(b.end).line]) : [];
      const f = statesFinding(prog.name, nameRange, r.states, (insn) => {
        const s = sourceForInsn(prog, insn);
        if (!s || !isThisDocument(s.fileName, ctx.sourcePath)) return undefined;
        // In inline asm, the state belongs to the asm line inside the string.
        if (asmLines.some(([a, b]) => a <= s.line - 1 && s.line - 1 <= b)) {
          const at = inlineAsmRange(ctx, prog, insn, inlineBlocks);
          if (at) return at.start.line;
        }
        return s.line - 1;
      });
      if (f) out.push(f);
    }
    if (r.ok || !r.error) continue;
    const src = sourceForInsn(prog, r.error.insn);
    const here = src && isThisDocument(src.fileName, ctx.sourcePath)
      ? inlineAsmRange(ctx, prog, r.error.insn, inlineBlocks) ?? lineRange(ctx.doc, src.line, src.col) : undefined;
    const range = here ?? nameRange;
    if (!range) continue;
    const related = pathRelated(ctx, prog, r.path ?? []);
    if (!here && src) related.unshift({ range, message: `in ${src.fileName}:${src.line}: ${src.lineText.trim()}` });
    const state = r.states?.find((s) => s.insn === r.error!.insn);
    const data: VerifierFindingData = {
      prog: prog.name, insn: r.error.insn, message: r.error.message,
      ...(state ? { regs: state.regs, stack: state.stack } : {}),
    };
    out.push({
      range,
      severity: 'error',
      code: VERIFIER_ERROR,
      source: 'verifier',
      message: `${r.error.message}\n(${prog.name}, ${progTypeName(prog.progType)}, insn ${r.error.insn}; the kernel's verifier would refuse this program)`,
      related,
      data,
    });
  }
  return out;
}

registerObjectProvider({
  id: 'verifier',
  languages: ['c', 'bpf-asm'],
  enabled: (s) => s.analyses.verify,
  provideFindings: verifyFindings,
});

registerHoverProvider({ id: 'verifier-states', languages: ['c', 'bpf-asm'], provideHover: stateHover });

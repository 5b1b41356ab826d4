// One view of "assembly in this document" for every asm feature: a bpf-asm file is one view over
// its whole text; a C file has one view per inline asm statement. A view converts assembler
// positions (line, column of its own text) to document positions and back.
import { assemble, detectSyntax, type AsmResult, type AsmSyntax } from '../../bpf/asm/assembler';
import type { DocumentSnapshot } from '../../analysis/document';
import type { BpflsSettings } from '../../analysis/settings';
import type { Position, Range } from '../../analysis/types';
import { docOffset, findInlineAsm, templatePosition, type InlineAsmBlock } from './inline';
import type { SourceRange } from '../../bpf/asm/types';

export interface AsmView {
  asm: AsmResult;
  /** The lines the assembler read. */
  lines: string[];
  /** True for an inline asm template inside C. */
  inline: boolean;
  toDoc(line: number, col: number): Position;
  fromDoc(p: Position): { line: number; col: number } | undefined;
}

export function syntaxFor(text: string, settings: BpflsSettings): AsmSyntax {
  return settings.asmSyntax === 'llvm' || settings.asmSyntax === 'gas' ? settings.asmSyntax : detectSyntax(text);
}

const cache = new WeakMap<DocumentSnapshot, { key: string; views: AsmView[] }>();

/** The assembly views of a document (cached per snapshot: providers share one assembly). */
export function asmViews(doc: DocumentSnapshot, settings: BpflsSettings): AsmView[] {
  const key = settings.asmSyntax;
  const hit = cache.get(doc);
  if (hit && hit.key === key) return hit.views;
  const views = doc.languageId === 'bpf-asm' ? [fileView(doc, settings)] : findInlineAsm(doc.text).map((b) => inlineView(doc, b));
  cache.set(doc, { key, views });
  return views;
}

function fileView(doc: DocumentSnapshot, settings: BpflsSettings): AsmView {
  const asm = assemble(doc.text, { syntax: syntaxFor(doc.text, settings) });
  const lines = doc.text.split(/\r?\n|\r/);
  return { asm, lines, inline: false, toDoc: (line, character) => ({ line, character }), fromDoc: (p) => ({ line: p.line, col: p.character }) };
}

function inlineView(doc: DocumentSnapshot, b: InlineAsmBlock): AsmView {
  return {
    asm: b.asm,
    lines: b.text.split('\n'),
    inline: true,
    toDoc: (line, col) => doc.positionAt(docOffset(b, line, col)),
    fromDoc: (p) => templatePosition(b, doc.offsetAt(p)),
  };
}

export function docRange(view: AsmView, r: SourceRange): Range {
  const start = view.toDoc(r.line, r.start);
  // An inline range ends after the document character of its last template character (escapes
  // like \t take two document characters).
  const end = view.inline && r.end > r.start
    ? (() => { const q = view.toDoc(r.line, r.end - 1); return { line: q.line, character: q.character + 1 }; })()
    : view.toDoc(r.line, r.end);
  return { start, end };
}

/** The view and the view position at a document position. */
export function viewAt(views: AsmView[], p: Position): { view: AsmView; line: number; col: number } | undefined {
  for (const view of views) {
    const q = view.fromDoc(p);
    if (q) return { view, ...q };
  }
  return undefined;
}

/** The instruction slot whose statement covers (line, col), or the statement on that line. */
export function insnAt(asm: AsmResult, line: number, col: number): number | undefined {
  let onLine: number | undefined;
  for (let i = 0; i < asm.sourceMap.length; i++) {
    const r = asm.sourceMap[i];
    if (!r || r.line !== line) continue;
    if (i > 0 && asm.sourceMap[i - 1] === r) continue; // second slot of LD_IMM64
    if (col >= r.start && col <= r.end) return i;
    onLine ??= i;
  }
  return onLine;
}

/** The identifier (label, register, mnemonic, helper) at a column of a line. */
export function wordAtCol(line: string, col: number): { word: string; start: number; end: number } | undefined {
  const re = /[A-Za-z_.$][\w.$]*/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (col >= m.index && col <= m.index + m[0].length) return { word: m[0], start: m.index, end: m.index + m[0].length };
    if (m.index > col) break;
  }
  return undefined;
}

// The verifier's register and stack state per source line, carried from the analysis worker to
// the main thread as one hidden finding per program (findings are the only channel the worker
// has), and shown by a hover on that line.
import type { Hover, PositionContext } from '../../analysis/registry';
import type { Finding, Range } from '../../analysis/types';
import type { InsnStateSummary } from '../../bpf/verifier';

export const VERIFIER_STATES = 'bpfls.verifier-states';

/** Bounds on what crosses the thread boundary per program. */
const MAX_LINES = 3000;
const MAX_TEXT = 400;

/** [0-based line, first instruction of the line, registers, stack] */
export type LineState = [number, number, string, string];

export interface VerifierStatesData {
  prog: string;
  lines: LineState[];
}

const clip = (s: string) => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) + ' …' : s);

/**
 * Groups instruction states by the document line `lineOf` gives (undefined: not this document);
 * each line keeps the state before its first instruction the verifier reached.
 */
export function statesFinding(prog: string, range: Range, states: InsnStateSummary[], lineOf: (insn: number) => number | undefined): Finding | undefined {
  const byLine = new Map<number, LineState>();
  for (const s of states) {
    const line = lineOf(s.insn);
    if (line === undefined) continue;
    const have = byLine.get(line);
    if (have && have[1] <= s.insn) continue;
    if (!have && byLine.size >= MAX_LINES) continue;
    byLine.set(line, [line, s.insn, clip(s.regs), clip(s.stack)]);
  }
  if (byLine.size === 0) return undefined;
  const data: VerifierStatesData = { prog, lines: [...byLine.values()].sort((a, b) => a[0] - b[0]) };
  return {
    range, severity: 'hint', code: VERIFIER_STATES, source: 'verifier', hidden: true,
    message: `verifier states of ${prog}`, data,
  };
}

/** Markdown of the verifier states on a line (one section per program), or undefined. */
export function statesMarkdown(findings: Finding[] | undefined, line: number): string | undefined {
  const parts: string[] = [];
  for (const f of findings ?? []) {
    if (f.code !== VERIFIER_STATES) continue;
    const d = f.data as VerifierStatesData | undefined;
    const hit = d?.lines?.find((l) => l[0] === line);
    if (!d || !hit) continue;
    parts.push(`**Verifier state** of \`${d.prog}\` before insn ${hit[1]}`, '```', hit[2] || '(no registers)', hit[3] ? `stack: ${hit[3]}` : 'stack: empty', '```');
  }
  return parts.length ? parts.join('\n') : undefined;
}

/** The hover of a source line of a verified program (registered by ./index.ts, after the asm hover). */
export function stateHover(ctx: PositionContext): Hover | undefined {
  const contents = statesMarkdown(ctx.findings, ctx.position.line);
  if (!contents) return undefined;
  const text = ctx.doc.lineText(ctx.position.line);
  const first = Math.max(0, text.search(/\S/));
  return { contents, range: { start: { line: ctx.position.line, character: first }, end: { line: ctx.position.line, character: text.length } } };
}

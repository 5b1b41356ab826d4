// The one shared mapping from an instruction index to a source position, via line_info.
import type { LoadedProgram, LineInfo } from './types';

export interface SourcePos {
  fileName: string;
  line: number;
  col: number;
  lineText: string;
  /** the line_info record's own instruction offset (<= the asked index) */
  insnOff: number;
}

/**
 * The source position of instruction `insnIdx` (a slot index in prog.insns): the line_info entry
 * with the greatest insnOff <= insnIdx, as the kernel's verifier log attributes lines. Undefined
 * when the program has no line_info at or before the index.
 */
export function sourceForInsn(prog: Pick<LoadedProgram, 'lineInfo'>, insnIdx: number): SourcePos | undefined {
  const li = sortedLineInfo(prog.lineInfo);
  let lo = 0;
  let hi = li.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (li[mid].insnOff <= insnIdx) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (best < 0) return undefined;
  const r = li[best];
  return { fileName: r.fileName, line: r.line, col: r.col, lineText: r.lineText, insnOff: r.insnOff };
}

const sortedCache = new WeakMap<LineInfo[], LineInfo[]>();

/** line_info is sorted per (sub)program but appended subprograms keep it sorted; guard anyway. */
function sortedLineInfo(li: LineInfo[]): LineInfo[] {
  let s = sortedCache.get(li);
  if (s && s.length === li.length) return s;
  let ok = true;
  for (let i = 1; i < li.length; i++) if (li[i].insnOff < li[i - 1].insnOff) { ok = false; break; }
  s = ok ? li : [...li].sort((a, b) => a.insnOff - b.insnOff);
  sortedCache.set(li, s);
  return s;
}

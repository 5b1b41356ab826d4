// The emulator in the editor. After each compile (in the analysis worker) every test-runnable
// program runs the way the selftests run it (64 zero bytes of packet): programs annotated
// `__retval(N)` whose result differs get an error on the function, and every program gets a hint
// with its result, which the "▶ Run" code lens above the program summarises.
import { registerCodeLensProvider, registerCommand, registerObjectProvider, type CodeLens, type CodeLensContext, type CommandContext, type CommandResult, type ObjectContext } from '../../analysis/registry';
import type { CancellationToken, Finding, Range } from '../../analysis/types';
import type { DocumentSnapshot } from '../../analysis/document';
import { Emulator } from '../../bpf/emulator/emulator';
import { describeRetval, isTestRunnable, retvalAnnotations, runLikeSelftest, summarizeRun } from '../../bpf/emulator/selftest';
import { docIndex } from '../knowledge/scan';

export const RUN_RESULT = 'bpfls.run-result';
export const RETVAL_MISMATCH = 'bpfls.retval-mismatch';

/** What a run-result hint carries for the code lens (plain data: it crosses the worker boundary). */
export interface RunResultData {
  prog: string;
  retval: number;
  meaning: string;
  insns: number;
  trace: string[];
  error?: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The range of a program's function name: its definition in C, its label in assembly. */
export function functionNameRange(doc: DocumentSnapshot, name: string): Range | undefined {
  const text = doc.text;
  const patterns = doc.languageId === 'bpf-asm'
    ? [new RegExp(`^\\s*(${escapeRe(name)})\\s*:`, 'm')]
    : [new RegExp(`\\b(${escapeRe(name)})\\s*\\([^;{]*\\)\\s*\\{`), new RegExp(`\\b(${escapeRe(name)})\\s*\\(`)];
  for (const re of patterns) {
    const m = re.exec(text);
    if (!m) continue;
    const start = m.index + m[0].indexOf(m[1]);
    return { start: doc.positionAt(start), end: doc.positionAt(start + name.length) };
  }
  return undefined;
}

function runFindings(ctx: ObjectContext, token: CancellationToken): Finding[] {
  const obj = ctx.load().object;
  if (!obj) return [];
  const expected = retvalAnnotations(obj);
  const out: Finding[] = [];
  for (const p of obj.programs) {
    if (token.isCancellationRequested) break;
    if (!p.autoload || !isTestRunnable(p)) continue;
    const range = functionNameRange(ctx.doc, p.name);
    if (!range) continue;
    let emu: Emulator;
    try {
      emu = new Emulator(obj); // a fresh object per program, as the selftests load one per test
    } catch (e) {
      out.push({ range, severity: 'hint', code: RUN_RESULT, source: 'emulator', message: `${p.name}: not run: ${(e as Error).message}`, data: { prog: p.name, retval: 0, meaning: '', insns: 0, trace: [], error: (e as Error).message } satisfies RunResultData });
      continue;
    }
    const r = runLikeSelftest(emu, p);
    const data: RunResultData = {
      prog: p.name, retval: r.retval | 0, meaning: describeRetval(p.progType, r.retval), insns: r.insns,
      trace: r.trace.slice(0, 20), ...(r.error ? { error: `insn ${r.error.insn}: ${r.error.message}` } : {}),
    };
    const trace = r.trace.length ? `\ntrace:\n${r.trace.slice(0, 20).join('\n')}` : '';
    out.push({ range, severity: 'hint', code: RUN_RESULT, source: 'emulator', message: `${p.name} ${summarizeRun(p, r)} (emulated on ${64} zero bytes)${trace}`, data });
    const want = expected.get(p.name);
    if (!want) continue;
    if (want.value === undefined) {
      out.push({ range, severity: 'warning', code: RETVAL_MISMATCH, source: 'emulator', message: `__retval(${want.text}): not a number the selftests understand` });
    } else if (r.error) {
      out.push({ range, severity: 'error', code: RETVAL_MISMATCH, source: 'emulator', message: `__retval(${want.text}) expected, but the program ${summarizeRun(p, r)}` });
    } else if (!want.any && (r.retval | 0) !== want.value) {
      const meaning = describeRetval(p.progType, r.retval);
      out.push({
        range, severity: 'error', code: RETVAL_MISMATCH, source: 'emulator',
        message: `__retval(${want.text}) expected, but the program returned ${r.retval | 0}${meaning ? ` (${meaning})` : ''} (emulated like BPF_PROG_TEST_RUN on 64 zero bytes)`,
      });
    }
  }
  return out;
}

registerObjectProvider({
  id: 'emulator-run',
  languages: ['c', 'bpf-asm'],
  enabled: (s) => s.analyses.run,
  provideFindings: runFindings,
});

/**
 * Names of the SEC() functions of a C document: the identifier before the parameter list that
 * ends the function header (so attribute macros such as `__retval(2)` between SEC() and the
 * function are skipped), or the first argument of a BPF_PROG()-style macro.
 */
export function programNames(doc: DocumentSnapshot): string[] {
  const index = docIndex(doc);
  const out: string[] = [];
  for (const p of index.programs) {
    const header = index.code.slice(p.secEnd, p.bodyStart);
    const close = header.lastIndexOf(')');
    if (close < 0) continue;
    let depth = 0, open = -1;
    for (let i = close; i >= 0; i--) {
      if (header[i] === ')') depth++;
      else if (header[i] === '(' && --depth === 0) { open = i; break; }
    }
    if (open < 0) continue;
    const m = /([A-Za-z_]\w*)\s*$/.exec(header.slice(0, open));
    if (!m) continue;
    let name = m[1];
    if (/^[A-Z0-9_]+$/.test(name) && /BPF|PROG|PROBE|USDT|SYSCALL/.test(name)) {
      const arg = /^\(\s*([A-Za-z_]\w*)/.exec(header.slice(open));
      if (arg) name = arg[1];
    }
    out.push(name);
  }
  return out;
}

function lensTitle(d: RunResultData | undefined): string {
  if (!d) return '▶ Run';
  if (d.error) return `▶ Run: fault (${d.error})`;
  const parts = [`▶ Run: ${d.retval}${d.meaning ? ` (${d.meaning})` : ''}`, `${d.insns} insns`];
  if (d.trace.length) parts.push(`trace: ${d.trace[0]}${d.trace.length > 1 ? ` (+${d.trace.length - 1})` : ''}`);
  return parts.join(' · ');
}

function provideLenses(ctx: CodeLensContext): CodeLens[] {
  const results = new Map<string, RunResultData>();
  for (const f of ctx.findings ?? []) {
    if (f.code === RUN_RESULT && f.data && typeof f.data === 'object') {
      const d = f.data as RunResultData;
      results.set(d.prog, d);
    }
  }
  const names: string[] = ctx.doc.languageId === 'c' ? programNames(ctx.doc) : [...results.keys()];
  const out: CodeLens[] = [];
  for (const name of names) {
    const range = functionNameRange(ctx.doc, name);
    if (!range) continue;
    out.push({ range, title: lensTitle(results.get(name)), command: { command: 'bpfls.runProgram', arguments: [ctx.doc.uri, name] } });
  }
  return out;
}

registerCodeLensProvider({ id: 'emulator-run', languages: ['c', 'bpf-asm'], provideCodeLenses: provideLenses });

/**
 * "▶ Run" clicked: the result of the program's last background run (the document's latest compile),
 * with its trace in the output channel.
 */
function runProgramCommand(ctx: CommandContext): CommandResult {
  const [uri, prog] = ctx.arguments;
  if (typeof uri !== 'string' || typeof prog !== 'string') return { message: 'bpfls.runProgram needs a document URI and a program name', error: true };
  const doc = ctx.document(uri);
  if (!doc) return { message: `${prog}: the document is not open`, error: true };
  const f = doc.findings.find((x) => x.code === RUN_RESULT && (x.data as RunResultData | undefined)?.prog === prog);
  if (!f) return { message: `${prog}: no result yet (it runs after each successful compile, when bpfls.analyses.run is on)`, error: true };
  const d = f.data as RunResultData;
  if (d.error) return { message: `${prog}: ${d.error}`, error: true, detail: f.message };
  const message = `${prog} returned ${d.retval}${d.meaning ? ` (${d.meaning})` : ''} after ${d.insns} instructions${d.trace.length ? `; trace: ${d.trace[0]}` : ''}`;
  return { message, detail: f.message };
}

registerCommand({ id: 'bpfls.runProgram', execute: runProgramCommand });

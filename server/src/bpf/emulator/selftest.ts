// Programs annotated the way the kernel's BPF selftests annotate them: `__retval(N)` is a BTF decl
// tag "comment:test_retval=N" on the program's FUNC. The selftests' loader runs such programs with
// BPF_PROG_TEST_RUN on 64 zero bytes (no input at all for syscall programs) and compares the
// return value as an int.
import { BtfKind } from '../btf/types';
import type { LoadedObject, LoadedProgram } from '../loader/types';
import { ProgType } from '../progtypes';
import { ctxKindOf } from './context';
import { Emulator, type RunResult } from './emulator';
import { describeRetval } from './retval';

export const TEST_DATA_LEN = 64;
const POINTER_VALUE = 0xcafe4a;
const NAMED: Record<string, number> = { INT_MIN: -0x80000000, POINTER_VALUE, TEST_DATA_LEN };

export interface RetvalExpectation {
  /** the annotation's text, e.g. "2" or "POINTER_VALUE" */
  text: string;
  /** expected value as an int, or undefined when unparsable */
  value: number | undefined;
  /** POINTER_VALUE accepts any result, as in the selftests */
  any: boolean;
}

function parseValue(text: string): number | undefined {
  const t = text.trim();
  if (t in NAMED) return NAMED[t];
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  const neg = t.startsWith('-');
  const n = Number(neg ? t.slice(1) : t);
  if (!Number.isFinite(n) || n > 0xffffffff) return undefined;
  return (neg ? -n : n) | 0;
}

/** `__retval` annotations by program (function) name, from the object's BTF decl tags */
export function retvalAnnotations(obj: LoadedObject): Map<string, RetvalExpectation> {
  const out = new Map<string, RetvalExpectation>();
  const types = obj.btf?.types ?? [];
  for (const t of types) {
    if (t.kind !== BtfKind.DECL_TAG || !t.name.startsWith('comment:test_retval=')) continue;
    if (t.componentIdx !== undefined && t.componentIdx !== -1) continue;
    const fn = types[t.type];
    if (!fn || fn.kind !== BtfKind.FUNC) continue;
    const text = t.name.slice('comment:test_retval='.length);
    const value = parseValue(text);
    out.set(fn.name, { text, value, any: value === POINTER_VALUE });
  }
  return out;
}

/** whether BPF_PROG_TEST_RUN can run this program type (and so the emulator can) */
export function isTestRunnable(p: LoadedProgram): boolean {
  return ctxKindOf(p.progType) !== 'none' && p.progType !== ProgType.KPROBE && p.progType !== ProgType.TRACEPOINT &&
    p.progType !== ProgType.PERF_EVENT && p.progType !== ProgType.LSM;
}

/** runs a program the way the selftests' loader does */
export function runLikeSelftest(emu: Emulator, p: LoadedProgram): RunResult {
  const kind = ctxKindOf(p.progType);
  const dataIn = kind === 'xdp' || kind === 'skb' || kind === 'flow_dissector' ? new Uint8Array(TEST_DATA_LEN) : undefined;
  return emu.run(p.name, { dataIn });
}

/** one line for the editor: "returned 2 (XDP_PASS) after 58 instructions" */
export function summarizeRun(p: LoadedProgram, r: RunResult): string {
  if (r.error) return `faulted${r.error.insn >= 0 ? ` at instruction ${r.error.insn}` : ''}: ${r.error.message}`;
  const meaning = describeRetval(p.progType, r.retval);
  return `returned ${r.retval | 0}${meaning ? ` (${meaning})` : ''} after ${r.insns} instruction${r.insns === 1 ? '' : 's'}`;
}

export { describeRetval };

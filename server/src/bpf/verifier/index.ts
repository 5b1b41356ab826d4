// Public API of the verifier: verifyProgram() decides whether the kernel would accept a loaded
// program and, if not, with which message at which instruction.
import type { LoadedObject, LoadedProgram } from '../loader/types';
import { Verifier, VerifierError, CancelledError, VerifyOptions, VerifyResult } from './verifier';
import { ProgType } from '../progtypes';

export type { VerifyOptions, VerifyResult, VerifyError, InsnStateSummary } from './verifier';

export function verifyProgram(obj: LoadedObject, prog: LoadedProgram, opts: VerifyOptions = {}): VerifyResult {
  const t0 = performance.now();
  const v = new Verifier(obj, prog, opts);
  let error: VerifyResult['error'];
  let path: VerifyResult['path'];
  let cancelled = false;
  try {
    // libbpf refuses a section it cannot map to a program type before the kernel sees the program
    if (prog.progType === ProgType.UNSPEC && prog.section !== '.text') throw new VerifierError(`missing BPF prog type, check ELF section name '${prog.section}'`, 0);
    v.run();
  } catch (e) {
    if (e instanceof VerifierError) {
      error = { message: e.message, insn: e.insn, lines: [e.message] };
      path = v.getPath();
    } else if (e instanceof CancelledError) {
      cancelled = true;
    } else if (e instanceof RangeError) {
      error = { message: `bpfls: verifier ran out of resources (${e.message})`, insn: 0, lines: [] };
    } else {
      throw e;
    }
  }
  const stats = v.stats();
  let log = v.getLog();
  if (opts.logLevel) {
    if (error && !v.messageLogged) log += `${error.message}\n`;
    log += `processed ${v.processed} insns (limit ${opts.insnLimit ?? 1_000_000}) max_states_per_insn ${stats.maxStatesPerInsn} total_states ${stats.totalStates} peak_states ${stats.peakStates} mark_read 0\n`;
  }
  const notes = [...v.notes];
  return {
    ok: !error && !cancelled,
    error,
    processed: v.processed,
    log,
    path,
    states: v.getStates(),
    notes,
    stats: { ...stats, timeMs: performance.now() - t0 },
  };
}

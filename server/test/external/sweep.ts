// The shared core of the differential sweeps (ctx-, helper-, pkt-, ret-, sockptr-, stack-sweep.ts):
// load raw generated programs into the running kernel in chunks, verify each with bpfls, print one
// line per disagreement (UNSOUND: bpfls accepts what the kernel refuses; STRICT: the reverse; MSG:
// both refuse with different final lines; CRASH: bpfls threw) and keep the tally.
import { kernelVerifyRaw } from '../diff/oracle';
import { toLoadedObject, toRawSpec, type GenProgram } from '../diff/gen';
import { verifyProgram } from '../../src/bpf/verifier/index';
import { runningKernelVerifyOptions } from '../../src/toolchain/running-kernel';

export interface SweepTally {
  programs: number;
  /** programs the kernel gave a verdict on */
  judged: number;
  kernelAccepts: number;
  notLoadable: number;
  agree: number;
  unsound: number;
  strict: number;
  msg: number;
  crash: number;
}

export function newTally(): SweepTally {
  return { programs: 0, judged: 0, kernelAccepts: 0, notLoadable: 0, agree: 0, unsound: 0, strict: 0, msg: 0, crash: 0 };
}

export interface SweepOptions {
  /** programs per kernel oracle run */
  chunk?: number;
  /** the disagreement line for a program (default: name, kernel and bpfls verdicts) */
  describe?: (p: GenProgram) => string;
  /** print only disagreement lines this matches */
  filter?: RegExp;
}

/** Judges `progs` against the kernel, adding to `tally`; prints each disagreement. */
export function judgeSweep(progs: GenProgram[], tally: SweepTally, opts: SweepOptions = {}): SweepTally {
  const chunk = opts.chunk ?? progs.length;
  tally.programs += progs.length;
  for (let c = 0; c < progs.length; c += Math.max(1, chunk)) {
    const part = progs.slice(c, c + Math.max(1, chunk));
    const k = kernelVerifyRaw(part.map(toRawSpec));
    for (const p of part) {
      const kv = k.verdicts.get(p.name);
      if (!kv || kv.ok === null || (kv.ok === false && !kv.error_line && !kv.processed)) { tally.notLoadable++; continue; }
      tally.judged++;
      if (kv.ok) tally.kernelAccepts++;
      const { obj, prog } = toLoadedObject(p);
      let b;
      try {
        b = verifyProgram(obj, prog, runningKernelVerifyOptions());
      } catch (e) {
        tally.crash++;
        console.log(`CRASH ${p.name}: ${(e as Error).message}`);
        continue;
      }
      const bmsg = b.error?.message;
      if (b.ok === kv.ok && (b.ok || bmsg === kv.error_line)) { tally.agree++; continue; }
      const tag = b.ok && !kv.ok ? 'UNSOUND' : !b.ok && kv.ok ? 'STRICT' : 'MSG';
      if (tag === 'UNSOUND') tally.unsound++; else if (tag === 'STRICT') tally.strict++; else tally.msg++;
      const line = `${tag} ${opts.describe?.(p) ?? p.name}: kernel ${kv.ok ? 'ok' : `"${kv.error_line}"`} | bpfls ${b.ok ? 'ok' : `"${bmsg}" @${b.error?.insn}`}`;
      if (!opts.filter || opts.filter.test(line)) console.log(line);
    }
  }
  return tally;
}

/** The summary line every sweep prints. */
export function sweepSummary(label: string, t: SweepTally): string {
  return `${label}: ${t.programs} programs, ${t.judged} judged (${t.kernelAccepts} accepted by the kernel, ${t.notLoadable} not loadable), ${t.agree} agree, unsound ${t.unsound}, false rejections ${t.strict}, other message ${t.msg}, crashes ${t.crash}`;
}

// The kernel's add_subprog_and_kfunc pass, the first walk over the instructions (after the BTF
// info is read): bpf-to-bpf call and callback targets must be inside the program, and every kfunc
// call must name a FUNC with a FUNC_PROTO in the kernel's BTF. A kfunc call with a non-zero off
// names a module BTF through the loader's fd_array; bpfls loads against vmlinux only and its loader
// never sets one, so such a call is refused as the kernel refuses it without an fd_array.
// Calls with imm 0 and off 0 are left for do_check ("not eliminated in verifier pass").
import type { Insn } from '../isa/insn';
import type { LoadedObject, LoadedProgram } from '../loader/types';
import { BtfKind } from '../btf/types';
import { VerifierError } from './errors';

const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export function checkSubprogAndKfuncCalls(insns: Insn[], obj: LoadedObject, prog: LoadedProgram): void {
  const n = insns.length;
  let sawKfunc = false;
  for (let i = 0; i < n; i++) {
    const x = insns[i];
    const pseudoFunc = x.code === 0x18 && x.src === 4;
    const pseudoCall = x.code === 0x85 && x.src === 1;
    const kfunc = x.code === 0x85 && x.src === 2;
    if (pseudoFunc || pseudoCall) {
      const t = i + x.imm + 1;
      if (t < 0 || t >= n) throw new VerifierError('call to invalid destination', i);
      continue;
    }
    if (!kfunc) continue;
    // the loader could not resolve this call (its problem note names the kfunc): its own rules apply,
    // except a weak kfunc left as imm 0 / off 0, which still reaches the kernel and its license check
    if (prog.problems.some((p) => p.insn === i) && !(x.imm === 0 && x.off === 0)) continue;
    if (!sawKfunc) {
      sawKfunc = true;
      if (!GPL_COMPATIBLE.has(prog.license || obj.license)) {
        throw new VerifierError('cannot call kernel function from non-GPL compatible program', i);
      }
    }
    if (x.imm === 0 && x.off === 0) continue;
    if (x.off !== 0) throw new VerifierError('failed to find BTF for kernel function', i);
    const btf = obj.targetBtf;
    if (!btf) continue; // without the kernel's BTF the ids cannot be checked
    const id = x.imm >>> 0;
    const t = id < btf.types.length ? btf.types[id] : undefined;
    if (!t || t.kind !== BtfKind.FUNC) throw new VerifierError(`kernel btf_id ${id} is not a function`, i);
    const proto = btf.types[t.type];
    if (!proto || proto.kind !== BtfKind.FUNC_PROTO) {
      throw new VerifierError(`kernel function btf_id ${id} does not have a valid func_proto`, i);
    }
  }
}

/**
 * After a successful check the kernel removes the instructions no path reached
 * (opt_remove_dead_code): a function never entered disappears, and a callback reference
 * (LD_IMM64 BPF_PSEUDO_FUNC) to it leaves jit_subprogs without a target, which 6.18 reports as a
 * verifier bug and refuses the program. Unless only the main program is left to JIT.
 */
export function checkCallbackTargetsSeen(insns: Insn[], subprogs: { start: number; end: number }[], seen: Uint8Array): void {
  if (subprogs.length <= 1) return;
  const gone = subprogs.map((sp) => {
    for (let i = sp.start; i < sp.end; i++) if (seen[i]) return false;
    return true;
  });
  const left = gone.filter((g) => !g).length;
  if (left <= 1) return;
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i];
    if (x.code !== 0x18) continue;
    if (x.src === 4 && seen[i]) {
      const t = i + x.imm + 1;
      const sp = subprogs.findIndex((s) => s.start === t);
      if (sp >= 0 && gone[sp]) throw new VerifierError(`verifier bug: No program to jit at insn ${i} (subprog < 0)`, i);
    }
    i++;
  }
}

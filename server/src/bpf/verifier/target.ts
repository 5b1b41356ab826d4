// Facts about the target kernel that decide verdicts independently of the program: its number of
// possible CPUs and its build configuration. The caller supplies them (read from the running kernel
// when that is the target); without them the verifier keeps its configuration-independent defaults.
import type { Insn } from '../isa/insn';
import type { Btf } from '../loader/types';
import { BtfKind } from '../btf/types';

/** What the target kernel is, beyond its BTF. */
export interface TargetFacts {
  /** nr_cpu_ids: highest possible CPU + 1 (/sys/devices/system/cpu/possible) */
  possibleCpus?: number;
  /** the kernel's build configuration: CONFIG_FOO -> 'y' | 'm' | value; options not set are absent */
  kconfig?: Record<string, string>;
}

/** The most nr_cpu_ids can be (CONFIG_NR_CPUS maximum on x86-64): the bound used without facts. */
export const NR_CPUS_MAX = 8192;

/** Upper bound of bpf_get_smp_processor_id()'s result (do_refine_retval_range: nr_cpu_ids - 1). */
export function smpProcessorIdMax(t: TargetFacts | undefined): number {
  const n = t?.possibleCpus;
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= NR_CPUS_MAX ? n - 1 : NR_CPUS_MAX - 1;
}

/** Whether a config option is known to be off (facts present and the option not y/m); false without facts. */
export function configKnownOff(t: TargetFacts | undefined, option: string): boolean {
  if (!t?.kconfig) return false;
  const v = t.kconfig[option];
  return v !== 'y' && v !== 'm';
}

/**
 * Helpers a kernel built without some option leaves out of the program type's func proto, so the
 * verifier refuses them as 'program of this type cannot use helper'. Undefined without facts.
 */
export function helperConfiguredOut(name: string, t: TargetFacts | undefined): boolean {
  // bpf_override_return: kprobe_prog_func_proto offers it only under CONFIG_BPF_KPROBE_OVERRIDE
  if (name === 'bpf_override_return') return configKnownOff(t, 'CONFIG_BPF_KPROBE_OVERRIDE');
  return false;
}

/**
 * Whether kallsyms_lookup_name finds a kernel variable: without CONFIG_KALLSYMS_ALL, kallsyms lists
 * text symbols only, so a typed variable ksym's ldimm64 fails. True without facts.
 */
export function variableKsymsResolvable(t: TargetFacts | undefined): boolean {
  return !configKnownOff(t, 'CONFIG_KALLSYMS_ALL');
}

/**
 * resolve_pseudo_ldimm64 on typed ksyms (BPF_PSEUDO_BTF_ID): a variable's address comes from
 * kallsyms_lookup_name, which without CONFIG_KALLSYMS_ALL finds no variables. Returns the kernel's
 * message and the instruction, or undefined.
 */
export function unresolvableKsym(insns: readonly Insn[], targetBtf: Btf | undefined, t: TargetFacts | undefined): { message: string; insn: number } | undefined {
  if (variableKsymsResolvable(t) || !targetBtf) return undefined;
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i];
    if (x.code !== 0x18) continue;
    if (x.src === 3 /* BPF_PSEUDO_BTF_ID */) {
      const v = targetBtf.get ? targetBtf.get(x.imm) : targetBtf.types[x.imm];
      if (v?.kind === BtfKind.VAR) return { message: `ldimm64 failed to find the address for kernel symbol '${v.name}'.`, insn: i };
    }
    i++;
  }
  return undefined;
}

/** A note for a helper whose availability depends on a config the facts do not give (undefined otherwise). */
export function helperConfigNote(name: string, t: TargetFacts | undefined): string | undefined {
  if (name === 'bpf_override_return' && !t?.kconfig) {
    return 'bpf_override_return is accepted assuming the target kernel has CONFIG_BPF_KPROBE_OVERRIDE (without it the kernel refuses the call)';
  }
  return undefined;
}

// Diagnostics about helpers, kfuncs and the license, from the text alone (no compile needed).
// Codes are stable; users turn them off with bpfls.lints.disabled and change their severity with
// bpfls.lints.severity.
import type { DocumentContext } from '../../analysis/registry';
import type { BpflsSettings } from '../../analysis/settings';
import type { Finding, Severity } from '../../analysis/types';
import { helperByName, isHelperAllowed } from '../../knowledge/helpers';
import { kfuncAllowedFor, kfuncFacts, kfuncDeprecation, KFUNC_STABILITY_NOTE, KFUNC_WRAPPER_MACROS } from '../../knowledge/kfuncs';
import { classifySection } from '../../bpf/loader/sections';
import { PROG_TYPE_NAMES } from '../../bpf/progtypes';
import { docIndex, programAt, isGplCompatible, type DocIndex, type ProgramSpan } from './scan';
import { targetKfuncs } from './env';

export const KnowledgeCodes = {
  kfuncUnstable: 'bpfls.kfunc-unstable',
  kfuncDeprecated: 'bpfls.kfunc-deprecated',
  kfuncMissing: 'bpfls.kfunc-missing',
  kfuncProgType: 'bpfls.kfunc-prog-type',
  kfuncGpl: 'bpfls.kfunc-gpl-only',
  helperDeprecated: 'bpfls.helper-deprecated',
  helperProgType: 'bpfls.helper-prog-type',
  helperProgTypeIndirect: 'bpfls.helper-prog-type-indirect',
  helperGpl: 'bpfls.helper-gpl-only',
  helperSleepable: 'bpfls.helper-sleepable',
  kfuncSleepable: 'bpfls.kfunc-sleepable',
  licenseMissing: 'bpfls.license-missing',
} as const;

export const DEFAULT_SEVERITY: Readonly<Record<string, Severity>> = {
  [KnowledgeCodes.kfuncUnstable]: 'information',
  [KnowledgeCodes.kfuncDeprecated]: 'warning',
  [KnowledgeCodes.kfuncMissing]: 'warning',
  [KnowledgeCodes.kfuncProgType]: 'warning',
  [KnowledgeCodes.kfuncGpl]: 'error',
  [KnowledgeCodes.helperDeprecated]: 'warning',
  [KnowledgeCodes.helperProgType]: 'error',
  [KnowledgeCodes.helperProgTypeIndirect]: 'warning',
  [KnowledgeCodes.helperGpl]: 'error',
  [KnowledgeCodes.helperSleepable]: 'error',
  [KnowledgeCodes.kfuncSleepable]: 'error',
  [KnowledgeCodes.licenseMissing]: 'warning',
};

/** bpf_probe_read/_str calls already get 'bpfls.probe-read' (with fixes) from the lint set. */
const COVERED_ELSEWHERE = new Set(['bpf_probe_read', 'bpf_probe_read_str']);

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint']);

export function severityFor(code: string, settings: BpflsSettings): Severity {
  const over = (settings.lints as { severity?: Record<string, unknown> }).severity?.[code];
  return typeof over === 'string' && SEVERITIES.has(over) ? (over as Severity) : DEFAULT_SEVERITY[code] ?? 'warning';
}

function shortProgType(t: number): string {
  return (PROG_TYPE_NAMES[t] ?? '').replace(/^BPF_PROG_TYPE_/, '');
}

/** Program type and sleepability per program section, computed once per index. */
const progTypeCache = new WeakMap<DocIndex, Map<string, { progType: string; sleepable: boolean }>>();
function sectionFacts(index: DocIndex, section: string): { progType: string; sleepable: boolean } {
  let m = progTypeCache.get(index);
  if (!m) progTypeCache.set(index, (m = new Map()));
  let f = m.get(section);
  if (f === undefined) {
    const info = classifySection(section);
    f = { progType: info.def ? shortProgType(info.progType) : '', sleepable: info.sleepable };
    m.set(section, f);
  }
  return f;
}

export function progTypeOf(index: DocIndex, section: string): string {
  return sectionFacts(index, section).progType;
}

/** The programs reaching the (non-program) function that contains offset. */
function reachingCallers(index: DocIndex, offset: number): { caller: ProgramSpan; via: string }[] {
  const f = index.functions.find((x) => offset > x.bodyStart && offset < x.bodyEnd);
  if (!f) return [];
  return (index.callers.get(f.name) ?? []).map((caller) => ({ caller, via: f.name }));
}

export function knowledgeFindings(ctx: DocumentContext): Finding[] {
  const { doc, settings } = ctx;
  const index = docIndex(doc);
  // The target BTF (a few MB) is read only for documents that call something other than a helper.
  const needsBtf = index.ksyms.size > 0 || index.calls.some((c) => c.nested && !helperByName(c.name));
  const target = needsBtf ? targetKfuncs(settings) : { file: '', kfuncs: undefined };
  const out: Finding[] = [];
  const range = (s: number, e: number) => ({ start: doc.positionAt(s), end: doc.positionAt(e) });
  const add = (code: string, s: number, e: number, message: string, data?: unknown) =>
    out.push({ code, severity: severityFor(code, settings), source: 'bpfls', message, range: range(s, e), ...(data ? { data } : {}) });

  const license = index.license?.value;
  const gplOk = license !== undefined && isGplCompatible(license);
  if (index.programs.length && !index.license) {
    const p = index.programs[0];
    add(KnowledgeCodes.licenseMissing, p.secStart, p.secEnd,
      'No SEC("license") in this file: the kernel treats the program as non-GPL and refuses GPL-only helpers and kfuncs. Add: char LICENSE[] SEC("license") = "GPL";');
  }

  for (const call of index.calls) {
    if (!call.nested) continue; // a prototype, not a call
    const name = call.name;
    const helper = name.startsWith('bpf_') ? helperByName(name) : undefined;
    const prog = programAt(index, call.start);
    const pt = prog ? progTypeOf(index, prog.section) : '';
    if (helper && !prog) {
      // A helper in a function that programs call: check it against each of them.
      for (const { caller, via } of reachingCallers(index, call.start)) {
        const cpt = progTypeOf(index, caller.section);
        if (cpt && !isHelperAllowed(helper, cpt).allowed) {
          // A warning: the call may sit on a branch that is dead for that program (the verifier only
          // checks reachable code), which a text scan cannot tell.
          add(KnowledgeCodes.helperProgTypeIndirect, call.start, call.end,
            `${name} is not available to BPF_PROG_TYPE_${cpt} programs, and ${via}() is called from ${caller.funcName}() in SEC("${caller.section}"): if this call is reachable from there, the kernel rejects the load with "program of this type cannot use helper ${name}#${helper.id}".`);
          break;
        }
      }
    }
    if (helper) {
      if (helper.deprecated && !COVERED_ELSEWHERE.has(name)) {
        add(KnowledgeCodes.helperDeprecated, call.start, call.end,
          `${name} is deprecated: use ${helper.deprecated.successors.join(' or ')} (${helper.deprecated.reason}).`,
          { successors: helper.deprecated.successors });
      }
      if (prog && pt) {
        const a = isHelperAllowed(helper, pt);
        if (!a.allowed) {
          add(KnowledgeCodes.helperProgType, call.start, call.end,
            `${name} is not available to BPF_PROG_TYPE_${pt} programs (SEC("${prog.section}")): the kernel rejects the load with "program of this type cannot use helper ${name}#${helper.id}".`);
        }
      }
      if (helper.mightSleep && prog && pt && !sectionFacts(index, prog.section).sleepable) {
        add(KnowledgeCodes.helperSleepable, call.start, call.end,
          `${name} may sleep, but SEC("${prog.section}") is not sleepable: the verifier says "helper call might sleep in a non-sleepable prog". Use a sleepable section (e.g. fentry.s/, lsm.s/, uprobe.s/).`);
      }
      if (helper.gplOnly && index.programs.length && index.license && !gplOk) {
        add(KnowledgeCodes.helperGpl, call.start, call.end,
          `${name} is GPL-only, but the license "${license ?? ''}" is not GPL-compatible: the kernel rejects the load ("cannot call GPL-restricted function from non-GPL compatible program").`);
      }
      continue;
    }
    const declared = index.ksyms.has(name);
    // bpf_obj_new(...) and friends are macros over the _impl kfuncs unless the kernel has the plain name.
    const viaMacro = KFUNC_WRAPPER_MACROS.has(name) && !declared && !target.kfuncs?.has(name);
    const kname = viaMacro ? `${name}_impl` : name;
    const facts = kfuncFacts(kname);
    const inTarget = target.kfuncs?.get(kname);
    const dep = viaMacro ? undefined : kfuncDeprecation(name);
    if (!facts && !inTarget && !declared && !dep) continue;
    add(KnowledgeCodes.kfuncUnstable, call.start, call.end, `${viaMacro ? `${name}() calls the kfunc ${kname}` : `${name} is a kfunc`}. ${KFUNC_STABILITY_NOTE}`);
    if (dep) {
      add(KnowledgeCodes.kfuncDeprecated, call.start, call.end,
        `${name}: use ${dep.successor} (${dep.reason}${dep.removedIn ? `; gone after Linux ${dep.removedIn}` : ''}).`,
        { successor: dep.successor });
    }
    if (target.kfuncs && !inTarget) {
      add(KnowledgeCodes.kfuncMissing, call.start, call.end,
        `${kname} is not in the target kernel's BTF (${target.file}): libbpf fails to resolve it and the program will not load on that kernel.`);
    }
    if (facts && prog && pt && kfuncAllowedFor(kname, pt) === false) {
      add(KnowledgeCodes.kfuncProgType, call.start, call.end,
        `${kname} is not registered for BPF_PROG_TYPE_${pt} programs (its set ${facts.set} serves ${facts.progTypes.join(', ')}); the verifier will refuse the call.`);
    }
    if (facts?.flags.includes('KF_SLEEPABLE') && prog && pt && !sectionFacts(index, prog.section).sleepable) {
      add(KnowledgeCodes.kfuncSleepable, call.start, call.end,
        `${name} is a sleepable kfunc, but SEC("${prog.section}") is not sleepable: the verifier says "program must be sleepable to call sleepable kfunc ${name}".`);
    }
    if (index.programs.length && index.license && !gplOk) {
      add(KnowledgeCodes.kfuncGpl, call.start, call.end,
        `${name} is a kfunc, and kfuncs need a GPL-compatible license; "${license ?? ''}" is not one.`);
    }
  }
  return out;
}

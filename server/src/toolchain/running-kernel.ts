// What libbpf learns from the running kernel when it loads an object there: LINUX_KERNEL_VERSION
// for `.kconfig` externs. Used when the target BTF is the running kernel's own
// (/sys/kernel/btf/vmlinux), so bpfls sees the same frozen values as the kernel's verifier does.
import * as os from 'node:os';
import type { TargetFacts } from '../bpf/verifier/target';
import { runningTargetFacts } from './target-facts';

export const RUNNING_KERNEL_BTF = '/sys/kernel/btf/vmlinux';

/** KERNEL_VERSION(a, b, c) as libbpf computes it from a release string ("6.18.44-foo"); patch is capped at 255. */
export function kernelVersionCode(release: string): number | undefined {
  // libbpf needs all three numbers (else it uses 0)
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(release);
  if (!m) return undefined;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (a > 255 || b > 255) return undefined;
  return (a << 16) + (b << 8) + Math.min(c, 255);
}

/** The running kernel's LINUX_KERNEL_VERSION, or undefined off Linux or for an unreadable release. */
export function runningKernelVersion(): number | undefined {
  if (os.platform() !== 'linux') return undefined;
  return kernelVersionCode(os.release());
}

/**
 * Load options to add when the target BTF is the running kernel's (path undefined or empty = the
 * default): LINUX_KERNEL_VERSION, the kernel config for `.kconfig` externs, the possible CPUs.
 */
export function runningKernelLoadOptions(targetBtfPath?: string): { kernelVersion?: number; kconfig?: Record<string, string>; possibleCpus?: number } {
  if (targetBtfPath && targetBtfPath !== RUNNING_KERNEL_BTF) return {};
  const out: { kernelVersion?: number; kconfig?: Record<string, string>; possibleCpus?: number } = {};
  const v = runningKernelVersion();
  if (v !== undefined) out.kernelVersion = v;
  const facts = runningTargetFacts();
  if (facts.kconfig) out.kconfig = facts.kconfig;
  if (facts.possibleCpus !== undefined) out.possibleCpus = facts.possibleCpus;
  return out;
}

/** Verify options to add under the same condition: the target facts (nr_cpu_ids, configuration). */
export function runningKernelVerifyOptions(targetBtfPath?: string): { target?: TargetFacts } {
  if (targetBtfPath && targetBtfPath !== RUNNING_KERNEL_BTF) return {};
  return { target: runningTargetFacts() };
}

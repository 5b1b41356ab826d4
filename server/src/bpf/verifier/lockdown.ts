// Kernel lockdown (security/lockdown): a locked-down kernel's func_proto hooks return NULL for the
// helpers that could write user memory (integrity) or read kernel memory (confidentiality), so the
// verifier says "program of this type cannot use helper ...". The 6.18 kernels bpfls is measured
// against boot locked down to integrity (bpf_probe_write_user refused, probe reads allowed): that is
// the default; loaders for unlocked kernels pass lockdown 'none'.
export type Lockdown = 'none' | 'integrity' | 'confidentiality';

export const DEFAULT_LOCKDOWN: Lockdown = 'integrity';

/** LOCKDOWN_BPF_WRITE_USER: an integrity reason (bpf_trace.c, bpf_tracing_func_proto) */
const WRITE_USER = new Set(['bpf_probe_write_user']);
/** LOCKDOWN_BPF_READ_KERNEL: a confidentiality reason (bpf_base_func_proto, bpf_tracing_func_proto) */
const READ_KERNEL = new Set(['bpf_probe_read', 'bpf_probe_read_str', 'bpf_probe_read_kernel', 'bpf_probe_read_kernel_str']);

/** Whether a kernel at this lockdown level withholds the helper from every program type. */
export function lockedDownHelper(name: string, level: Lockdown = DEFAULT_LOCKDOWN): boolean {
  if (level === 'none') return false;
  if (WRITE_USER.has(name)) return true;
  return level === 'confidentiality' && READ_KERNEL.has(name);
}

/** The level named in /sys/kernel/security/lockdown's text ("none [integrity] confidentiality"). */
export function parseLockdown(text: string): Lockdown | undefined {
  const m = /\[(none|integrity|confidentiality)\]/.exec(text);
  return m ? (m[1] as Lockdown) : undefined;
}

// Helper memory arguments the running kernel treats as written (MEM_WRITE without MEM_UNINIT): the
// helper may store anything there, so stack bytes passed to it lose what the verifier knew about them
// (check_stack_range_initialized with BPF_WRITE: zero and uninitialised bytes become misc, spilled
// registers become unknown scalars). The knowledge table comes from an older kernel's prototypes;
// 6.18 stable kernels carry later fixes that mark these arguments MEM_WRITE ("bpf: Fix memory access
// flags in helper prototypes", bpf_d_path's and bpf_sysctl_get_name's output buffers,
// bpf_sock_ops_load_hdr_opt's search buffer). Checked against the running kernel:
// test/corpus/helper_mem_write.c.

/** helper name -> 1-based argument numbers written by the helper */
const WRITTEN_ARGS: Readonly<Record<string, readonly number[]>> = {
  bpf_fib_lookup: [2],
  bpf_snprintf: [1],
  bpf_snprintf_btf: [1],
  bpf_read_branch_records: [2],
  bpf_d_path: [2],
  bpf_sysctl_get_name: [2],
  bpf_load_hdr_opt: [2],
};

/** True when argument `argno` (1-based) of helper `name` is memory the helper writes (not MEM_UNINIT). */
export function helperWritesMem(name: string, argno: number, flags: readonly string[]): boolean {
  if (flags.includes('MEM_UNINIT') || flags.includes('MEM_RDONLY')) return false;
  return flags.includes('MEM_WRITE') || (WRITTEN_ARGS[name]?.includes(argno) ?? false);
}

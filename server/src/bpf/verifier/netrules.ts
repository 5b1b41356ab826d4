// Helpers the networking func_protos offer only for some attach types (net/core/filter.c
// sock_addr_func_proto, kernel/bpf/cgroup.c cg_sockopt_func_proto): where they return NULL the
// kernel says "program of this type cannot use helper ...". Checked against the running kernel
// with server/test/external/helper-sweep.ts.
import type { LoadedProgram } from '../loader/types';
import { ProgType } from '../progtypes';
import { RegType, MEM_PERCPU, MEM_RCU, PTR_TRUSTED, MEM_ALLOC } from './reg';

// enum bpf_attach_type values
const INET4_CONNECT = 10, INET6_CONNECT = 11, CGROUP_SETSOCKOPT = 22;

/** True when the program's attach type makes its func_proto withhold the helper. */
export function netHelperWithheld(name: string, prog: LoadedProgram): boolean {
  const eat = prog.expectedAttachType;
  if (prog.progType === ProgType.CGROUP_SOCK_ADDR) {
    // (6.12 also withheld bpf_setsockopt/bpf_getsockopt from unix getpeername/getsockname; 6.18 offers them)
    if (name === 'bpf_bind') return eat !== INET4_CONNECT && eat !== INET6_CONNECT;
  }
  if (prog.progType === ProgType.CGROUP_SOCKOPT && (name === 'bpf_setsockopt' || name === 'bpf_getsockopt')) {
    return eat !== CGROUP_SETSOCKOPT;
  }
  return false;
}

/** percpu_btf_ptr_types: the register types ARG_PTR_TO_PERCPU_BTF_ID accepts (bpf_per_cpu_ptr, bpf_this_cpu_ptr) */
export const PERCPU_BTF_ARG: [RegType, number][] = [
  [RegType.PTR_TO_BTF_ID, MEM_PERCPU], [RegType.PTR_TO_BTF_ID, MEM_PERCPU | MEM_RCU], [RegType.PTR_TO_BTF_ID, MEM_PERCPU | PTR_TRUSTED],
];
/** kptr_xchg_dest_types: bpf_kptr_xchg's destination, a map value or an allocated object */
export const KPTR_XCHG_DEST_ARG: [RegType, number][] = [[RegType.PTR_TO_MAP_VALUE, 0], [RegType.PTR_TO_BTF_ID, MEM_ALLOC]];

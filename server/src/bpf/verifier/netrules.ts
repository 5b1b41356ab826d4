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

/** Helpers whose prototype sets pkt_access: the only ones that may take packet pointers as arguments. */
const PKT_ACCESS_HELPERS = new Set([
  'bpf_map_lookup_elem', 'bpf_map_update_elem', 'bpf_map_delete_elem', 'bpf_map_push_elem', 'bpf_map_lookup_percpu_elem',
  'bpf_csum_diff', 'bpf_sk_lookup_tcp', 'bpf_sk_lookup_udp', 'bpf_skc_lookup_tcp', 'bpf_tcp_check_syncookie',
  'bpf_tcp_gen_syncookie', 'bpf_tcp_raw_gen_syncookie_ipv4', 'bpf_tcp_raw_gen_syncookie_ipv6',
  'bpf_tcp_raw_check_syncookie_ipv4', 'bpf_tcp_raw_check_syncookie_ipv6',
]);

/**
 * may_access_direct_pkt_data for a helper argument (check_func_arg): program types with direct
 * packet access pass packet pointers only to pkt_access helpers; cgroup/sockopt to any helper;
 * other types (socket filters, sock_ops...) to none ("helper access to the packet is not allowed").
 */
export function helperPktAccess(name: string, progType: number): boolean {
  switch (progType) {
    case ProgType.LWT_IN: case ProgType.LWT_OUT: case ProgType.LWT_SEG6LOCAL: case ProgType.SK_REUSEPORT:
    case ProgType.FLOW_DISSECTOR: case ProgType.CGROUP_SKB: case ProgType.SCHED_CLS: case ProgType.SCHED_ACT:
    case ProgType.XDP: case ProgType.LWT_XMIT: case ProgType.SK_SKB: case ProgType.SK_MSG:
      return PKT_ACCESS_HELPERS.has(name);
    case ProgType.CGROUP_SOCKOPT:
      return true;
    default:
      return false;
  }
}

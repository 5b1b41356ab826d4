// libbpf's section-name table (libbpf 1.x, tools/lib/bpf/libbpf.c): program type, expected attach
// type and flags per section prefix. First match wins, so order matters, as in libbpf.
import { ProgType } from '../progtypes';

/** Attach type numbers (enum bpf_attach_type in include/uapi/linux/bpf.h), in uapi order. */
export const ATTACH_TYPE_NAMES = [
  'BPF_CGROUP_INET_INGRESS',
  'BPF_CGROUP_INET_EGRESS',
  'BPF_CGROUP_INET_SOCK_CREATE',
  'BPF_CGROUP_SOCK_OPS',
  'BPF_SK_SKB_STREAM_PARSER',
  'BPF_SK_SKB_STREAM_VERDICT',
  'BPF_CGROUP_DEVICE',
  'BPF_SK_MSG_VERDICT',
  'BPF_CGROUP_INET4_BIND',
  'BPF_CGROUP_INET6_BIND',
  'BPF_CGROUP_INET4_CONNECT',
  'BPF_CGROUP_INET6_CONNECT',
  'BPF_CGROUP_INET4_POST_BIND',
  'BPF_CGROUP_INET6_POST_BIND',
  'BPF_CGROUP_UDP4_SENDMSG',
  'BPF_CGROUP_UDP6_SENDMSG',
  'BPF_LIRC_MODE2',
  'BPF_FLOW_DISSECTOR',
  'BPF_CGROUP_SYSCTL',
  'BPF_CGROUP_UDP4_RECVMSG',
  'BPF_CGROUP_UDP6_RECVMSG',
  'BPF_CGROUP_GETSOCKOPT',
  'BPF_CGROUP_SETSOCKOPT',
  'BPF_TRACE_RAW_TP',
  'BPF_TRACE_FENTRY',
  'BPF_TRACE_FEXIT',
  'BPF_MODIFY_RETURN',
  'BPF_LSM_MAC',
  'BPF_TRACE_ITER',
  'BPF_CGROUP_INET4_GETPEERNAME',
  'BPF_CGROUP_INET6_GETPEERNAME',
  'BPF_CGROUP_INET4_GETSOCKNAME',
  'BPF_CGROUP_INET6_GETSOCKNAME',
  'BPF_XDP_DEVMAP',
  'BPF_CGROUP_INET_SOCK_RELEASE',
  'BPF_XDP_CPUMAP',
  'BPF_SK_LOOKUP',
  'BPF_XDP',
  'BPF_SK_SKB_VERDICT',
  'BPF_SK_REUSEPORT_SELECT',
  'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE',
  'BPF_PERF_EVENT',
  'BPF_TRACE_KPROBE_MULTI',
  'BPF_LSM_CGROUP',
  'BPF_STRUCT_OPS',
  'BPF_NETFILTER',
  'BPF_TCX_INGRESS',
  'BPF_TCX_EGRESS',
  'BPF_TRACE_UPROBE_MULTI',
  'BPF_CGROUP_UNIX_CONNECT',
  'BPF_CGROUP_UNIX_SENDMSG',
  'BPF_CGROUP_UNIX_RECVMSG',
  'BPF_CGROUP_UNIX_GETPEERNAME',
  'BPF_CGROUP_UNIX_GETSOCKNAME',
  'BPF_NETKIT_PRIMARY',
  'BPF_NETKIT_PEER',
  'BPF_TRACE_KPROBE_SESSION',
] as const;

export function attachTypeNumber(name: string): number {
  const i = (ATTACH_TYPE_NAMES as readonly string[]).indexOf(name);
  return i < 0 ? 0 : i;
}

export const SEC_NONE = 0;
export const SEC_EXP_ATTACH_OPT = 1;
export const SEC_ATTACHABLE = 2;
export const SEC_ATTACHABLE_OPT = SEC_ATTACHABLE | SEC_EXP_ATTACH_OPT;
export const SEC_ATTACH_BTF = 4;
export const SEC_SLEEPABLE = 8;
export const SEC_XDP_FRAGS = 16;
export const SEC_USDT = 32;

export interface SecDef {
  /** "name" exact, "name+" exact or "name/extra", "name/" prefix */
  sec: string;
  progType: number;
  attachType: string;
  flags: number;
}

const def = (sec: string, progType: number, attachType: string, flags: number): SecDef => ({ sec, progType, attachType, flags });

export const SECTION_DEFS: readonly SecDef[] = [
  def('socket', ProgType.SOCKET_FILTER, '', SEC_NONE),
  def('sk_reuseport/migrate', ProgType.SK_REUSEPORT, 'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE', SEC_ATTACHABLE),
  def('sk_reuseport', ProgType.SK_REUSEPORT, 'BPF_SK_REUSEPORT_SELECT', SEC_ATTACHABLE),
  def('kprobe+', ProgType.KPROBE, '', SEC_NONE),
  def('uprobe+', ProgType.KPROBE, '', SEC_NONE),
  def('uprobe.s+', ProgType.KPROBE, '', SEC_SLEEPABLE),
  def('kretprobe+', ProgType.KPROBE, '', SEC_NONE),
  def('uretprobe+', ProgType.KPROBE, '', SEC_NONE),
  def('uretprobe.s+', ProgType.KPROBE, '', SEC_SLEEPABLE),
  def('kprobe.multi+', ProgType.KPROBE, 'BPF_TRACE_KPROBE_MULTI', SEC_NONE),
  def('kretprobe.multi+', ProgType.KPROBE, 'BPF_TRACE_KPROBE_MULTI', SEC_NONE),
  def('kprobe.session+', ProgType.KPROBE, 'BPF_TRACE_KPROBE_SESSION', SEC_NONE),
  def('uprobe.multi+', ProgType.KPROBE, 'BPF_TRACE_UPROBE_MULTI', SEC_NONE),
  def('uretprobe.multi+', ProgType.KPROBE, 'BPF_TRACE_UPROBE_MULTI', SEC_NONE),
  def('uprobe.multi.s+', ProgType.KPROBE, 'BPF_TRACE_UPROBE_MULTI', SEC_SLEEPABLE),
  def('uretprobe.multi.s+', ProgType.KPROBE, 'BPF_TRACE_UPROBE_MULTI', SEC_SLEEPABLE),
  def('ksyscall+', ProgType.KPROBE, '', SEC_NONE),
  def('kretsyscall+', ProgType.KPROBE, '', SEC_NONE),
  def('usdt+', ProgType.KPROBE, '', SEC_USDT),
  def('usdt.s+', ProgType.KPROBE, '', SEC_USDT | SEC_SLEEPABLE),
  def('tc/ingress', ProgType.SCHED_CLS, 'BPF_TCX_INGRESS', SEC_NONE),
  def('tc/egress', ProgType.SCHED_CLS, 'BPF_TCX_EGRESS', SEC_NONE),
  def('tcx/ingress', ProgType.SCHED_CLS, 'BPF_TCX_INGRESS', SEC_NONE),
  def('tcx/egress', ProgType.SCHED_CLS, 'BPF_TCX_EGRESS', SEC_NONE),
  def('tc', ProgType.SCHED_CLS, '', SEC_NONE),
  def('classifier', ProgType.SCHED_CLS, '', SEC_NONE),
  def('action', ProgType.SCHED_ACT, '', SEC_NONE),
  def('netkit/primary', ProgType.SCHED_CLS, 'BPF_NETKIT_PRIMARY', SEC_NONE),
  def('netkit/peer', ProgType.SCHED_CLS, 'BPF_NETKIT_PEER', SEC_NONE),
  def('tracepoint+', ProgType.TRACEPOINT, '', SEC_NONE),
  def('tp+', ProgType.TRACEPOINT, '', SEC_NONE),
  def('raw_tracepoint+', ProgType.RAW_TRACEPOINT, '', SEC_NONE),
  def('raw_tp+', ProgType.RAW_TRACEPOINT, '', SEC_NONE),
  def('raw_tracepoint.w+', ProgType.RAW_TRACEPOINT_WRITABLE, '', SEC_NONE),
  def('raw_tp.w+', ProgType.RAW_TRACEPOINT_WRITABLE, '', SEC_NONE),
  def('tp_btf+', ProgType.TRACING, 'BPF_TRACE_RAW_TP', SEC_ATTACH_BTF),
  def('fentry+', ProgType.TRACING, 'BPF_TRACE_FENTRY', SEC_ATTACH_BTF),
  def('fmod_ret+', ProgType.TRACING, 'BPF_MODIFY_RETURN', SEC_ATTACH_BTF),
  def('fexit+', ProgType.TRACING, 'BPF_TRACE_FEXIT', SEC_ATTACH_BTF),
  def('fentry.s+', ProgType.TRACING, 'BPF_TRACE_FENTRY', SEC_ATTACH_BTF | SEC_SLEEPABLE),
  def('fmod_ret.s+', ProgType.TRACING, 'BPF_MODIFY_RETURN', SEC_ATTACH_BTF | SEC_SLEEPABLE),
  def('fexit.s+', ProgType.TRACING, 'BPF_TRACE_FEXIT', SEC_ATTACH_BTF | SEC_SLEEPABLE),
  def('freplace+', ProgType.EXT, '', SEC_ATTACH_BTF),
  def('lsm+', ProgType.LSM, 'BPF_LSM_MAC', SEC_ATTACH_BTF),
  def('lsm.s+', ProgType.LSM, 'BPF_LSM_MAC', SEC_ATTACH_BTF | SEC_SLEEPABLE),
  def('lsm_cgroup+', ProgType.LSM, 'BPF_LSM_CGROUP', SEC_ATTACH_BTF),
  def('iter+', ProgType.TRACING, 'BPF_TRACE_ITER', SEC_ATTACH_BTF),
  def('iter.s+', ProgType.TRACING, 'BPF_TRACE_ITER', SEC_ATTACH_BTF | SEC_SLEEPABLE),
  def('syscall', ProgType.SYSCALL, '', SEC_SLEEPABLE),
  def('xdp.frags/devmap', ProgType.XDP, 'BPF_XDP_DEVMAP', SEC_XDP_FRAGS),
  def('xdp/devmap', ProgType.XDP, 'BPF_XDP_DEVMAP', SEC_ATTACHABLE),
  def('xdp.frags/cpumap', ProgType.XDP, 'BPF_XDP_CPUMAP', SEC_XDP_FRAGS),
  def('xdp/cpumap', ProgType.XDP, 'BPF_XDP_CPUMAP', SEC_ATTACHABLE),
  def('xdp.frags', ProgType.XDP, 'BPF_XDP', SEC_XDP_FRAGS),
  def('xdp', ProgType.XDP, 'BPF_XDP', SEC_ATTACHABLE_OPT),
  def('perf_event', ProgType.PERF_EVENT, '', SEC_NONE),
  def('lwt_in', ProgType.LWT_IN, '', SEC_NONE),
  def('lwt_out', ProgType.LWT_OUT, '', SEC_NONE),
  def('lwt_xmit', ProgType.LWT_XMIT, '', SEC_NONE),
  def('lwt_seg6local', ProgType.LWT_SEG6LOCAL, '', SEC_NONE),
  def('sockops', ProgType.SOCK_OPS, 'BPF_CGROUP_SOCK_OPS', SEC_ATTACHABLE_OPT),
  def('sk_skb/stream_parser', ProgType.SK_SKB, 'BPF_SK_SKB_STREAM_PARSER', SEC_ATTACHABLE_OPT),
  def('sk_skb/stream_verdict', ProgType.SK_SKB, 'BPF_SK_SKB_STREAM_VERDICT', SEC_ATTACHABLE_OPT),
  def('sk_skb/verdict', ProgType.SK_SKB, 'BPF_SK_SKB_VERDICT', SEC_ATTACHABLE_OPT),
  def('sk_skb', ProgType.SK_SKB, '', SEC_NONE),
  def('sk_msg', ProgType.SK_MSG, 'BPF_SK_MSG_VERDICT', SEC_ATTACHABLE_OPT),
  def('lirc_mode2', ProgType.LIRC_MODE2, 'BPF_LIRC_MODE2', SEC_ATTACHABLE_OPT),
  def('flow_dissector', ProgType.FLOW_DISSECTOR, 'BPF_FLOW_DISSECTOR', SEC_ATTACHABLE_OPT),
  def('cgroup_skb/ingress', ProgType.CGROUP_SKB, 'BPF_CGROUP_INET_INGRESS', SEC_ATTACHABLE_OPT),
  def('cgroup_skb/egress', ProgType.CGROUP_SKB, 'BPF_CGROUP_INET_EGRESS', SEC_ATTACHABLE_OPT),
  def('cgroup/skb', ProgType.CGROUP_SKB, '', SEC_NONE),
  def('cgroup/sock_create', ProgType.CGROUP_SOCK, 'BPF_CGROUP_INET_SOCK_CREATE', SEC_ATTACHABLE),
  def('cgroup/sock_release', ProgType.CGROUP_SOCK, 'BPF_CGROUP_INET_SOCK_RELEASE', SEC_ATTACHABLE),
  def('cgroup/sock', ProgType.CGROUP_SOCK, 'BPF_CGROUP_INET_SOCK_CREATE', SEC_ATTACHABLE_OPT),
  def('cgroup/post_bind4', ProgType.CGROUP_SOCK, 'BPF_CGROUP_INET4_POST_BIND', SEC_ATTACHABLE),
  def('cgroup/post_bind6', ProgType.CGROUP_SOCK, 'BPF_CGROUP_INET6_POST_BIND', SEC_ATTACHABLE),
  def('cgroup/bind4', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET4_BIND', SEC_ATTACHABLE),
  def('cgroup/bind6', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET6_BIND', SEC_ATTACHABLE),
  def('cgroup/connect4', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET4_CONNECT', SEC_ATTACHABLE),
  def('cgroup/connect6', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET6_CONNECT', SEC_ATTACHABLE),
  def('cgroup/connect_unix', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UNIX_CONNECT', SEC_ATTACHABLE),
  def('cgroup/sendmsg4', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UDP4_SENDMSG', SEC_ATTACHABLE),
  def('cgroup/sendmsg6', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UDP6_SENDMSG', SEC_ATTACHABLE),
  def('cgroup/sendmsg_unix', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UNIX_SENDMSG', SEC_ATTACHABLE),
  def('cgroup/recvmsg4', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UDP4_RECVMSG', SEC_ATTACHABLE),
  def('cgroup/recvmsg6', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UDP6_RECVMSG', SEC_ATTACHABLE),
  def('cgroup/recvmsg_unix', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UNIX_RECVMSG', SEC_ATTACHABLE),
  def('cgroup/getpeername4', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET4_GETPEERNAME', SEC_ATTACHABLE),
  def('cgroup/getpeername6', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET6_GETPEERNAME', SEC_ATTACHABLE),
  def('cgroup/getpeername_unix', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UNIX_GETPEERNAME', SEC_ATTACHABLE),
  def('cgroup/getsockname4', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET4_GETSOCKNAME', SEC_ATTACHABLE),
  def('cgroup/getsockname6', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_INET6_GETSOCKNAME', SEC_ATTACHABLE),
  def('cgroup/getsockname_unix', ProgType.CGROUP_SOCK_ADDR, 'BPF_CGROUP_UNIX_GETSOCKNAME', SEC_ATTACHABLE),
  def('cgroup/sysctl', ProgType.CGROUP_SYSCTL, 'BPF_CGROUP_SYSCTL', SEC_ATTACHABLE),
  def('cgroup/getsockopt', ProgType.CGROUP_SOCKOPT, 'BPF_CGROUP_GETSOCKOPT', SEC_ATTACHABLE),
  def('cgroup/setsockopt', ProgType.CGROUP_SOCKOPT, 'BPF_CGROUP_SETSOCKOPT', SEC_ATTACHABLE),
  def('cgroup/dev', ProgType.CGROUP_DEVICE, 'BPF_CGROUP_DEVICE', SEC_ATTACHABLE_OPT),
  def('struct_ops+', ProgType.STRUCT_OPS, '', SEC_NONE),
  def('struct_ops.s+', ProgType.STRUCT_OPS, '', SEC_SLEEPABLE),
  def('sk_lookup', ProgType.SK_LOOKUP, 'BPF_SK_LOOKUP', SEC_ATTACHABLE),
  def('netfilter', ProgType.NETFILTER, 'BPF_NETFILTER', SEC_NONE),
];

function matches(d: SecDef, name: string): boolean {
  const s = d.sec;
  if (s.endsWith('/')) return name.startsWith(s);
  if (s.endsWith('+')) {
    const p = s.slice(0, -1);
    return name.startsWith(p) && (name.length === p.length || name[p.length] === '/');
  }
  return name === s;
}

export interface SectionInfo {
  def?: SecDef;
  progType: number;
  expectedAttachType: number;
  sleepable: boolean;
  autoload: boolean;
  /** what follows the first '/' for "+" and "/" forms (attach target) */
  attachTo?: string;
}

/** Classifies a program section name the way libbpf does; unknown sections get progType 0. */
export function classifySection(section: string): SectionInfo {
  let name = section;
  let autoload = true;
  if (name.startsWith('?')) { autoload = false; name = name.slice(1); }
  const d = SECTION_DEFS.find((x) => matches(x, name));
  if (!d) return { progType: ProgType.UNSPEC, expectedAttachType: 0, sleepable: false, autoload };
  const slash = name.indexOf('/');
  const base = d.sec.replace(/[+/]$/, '');
  const attachTo = slash >= 0 && name.length > base.length + 1 && !d.sec.includes('/') ? name.slice(base.length + 1) : undefined;
  return {
    def: d,
    progType: d.progType,
    expectedAttachType: d.attachType ? attachTypeNumber(d.attachType) : 0,
    sleepable: (d.flags & SEC_SLEEPABLE) !== 0,
    autoload,
    attachTo,
  };
}

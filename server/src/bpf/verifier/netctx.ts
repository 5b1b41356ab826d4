// Context access rules of the networking program types whose ctx is a small fixed structure
// (xdp_md, bpf_sock, bpf_sock_addr, bpf_sock_ops, bpf_sockopt, bpf_sk_lookup, sk_reuseport_md,
// bpf_cgroup_dev_ctx, bpf_nf_ctx), and field access through socket pointers (struct bpf_sock,
// bpf_tcp_sock, bpf_xdp_sock). Follows the is_valid_access callbacks of net/core/filter.c and
// kernel/bpf/cgroup.c; checked offset by offset against the running kernel with
// server/test/external/ctx-sweep.ts.
import { ProgType } from '../progtypes';
import { RegType, PTR_MAYBE_NULL } from './reg';
import type { CtxAccess } from './ctx';

const NO: CtxAccess = { ok: false };
const SCALAR: CtxAccess = { ok: true };
const ptr = (regType: RegType, maybeNull = false): CtxAccess => ({ ok: true, regType, flags: maybeNull ? PTR_MAYBE_NULL : 0 });

/** bpf_ctx_narrow_access_ok: a power-of-two load no wider than the field (alignment is checked before). */
const narrow = (size: number, full: number): boolean => size <= full && (size & (size - 1)) === 0;
/** bpf_ctx_wide_access_ok: an aligned 8-byte access inside an array field [start, end). */
const wide = (off: number, size: number, start: number, end: number): boolean => size === 8 && off >= start && off + 8 <= end && off % 8 === 0;
const within = (off: number, start: number, end: number): boolean => off >= start && off < end;

// enum bpf_attach_type values (include/uapi/linux/bpf.h)
const EAT = {
  INET_SOCK_CREATE: 2, INET4_BIND: 8, INET6_BIND: 9, INET4_CONNECT: 10, INET6_CONNECT: 11, INET4_POST_BIND: 12,
  INET6_POST_BIND: 13, UDP4_SENDMSG: 14, UDP6_SENDMSG: 15, UDP4_RECVMSG: 19, UDP6_RECVMSG: 20, GETSOCKOPT: 21,
  SETSOCKOPT: 22, INET4_GETPEERNAME: 29, INET6_GETPEERNAME: 30, INET4_GETSOCKNAME: 31, INET6_GETSOCKNAME: 32,
  XDP_DEVMAP: 33, INET_SOCK_RELEASE: 34,
};

/** struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex (devmap only). */
function xdpAccess(off: number, size: number, write: boolean, eat: number): CtxAccess {
  if (off === 20 && eat !== EAT.XDP_DEVMAP) return NO;
  if (write) return NO;
  if (off < 0 || off >= 24 || off % size !== 0 || size !== 4) return NO;
  if (off === 0) return ptr(RegType.PTR_TO_PACKET);
  if (off === 4) return ptr(RegType.PTR_TO_PACKET_END);
  if (off === 8) return ptr(RegType.PTR_TO_PACKET_META);
  return SCALAR;
}

// struct bpf_sock
const SK = { bound_dev_if: 0, family: 4, type: 8, protocol: 12, mark: 16, priority: 20, src_ip4: 24, src_ip6: 28, src_port: 44,
  dst_port: 48, dst_ip4: 52, dst_ip6: 56, state: 72, rx_queue_mapping: 76, size: 80 };

/** bpf_sock_is_valid_access: struct bpf_sock fields, for ctx of cgroup/sock and for socket pointers. */
export function bpfSockValid(off: number, size: number): boolean {
  if (off < 0 || off >= SK.size || off % size !== 0) return false;
  switch (off) {
    case SK.state: case SK.family: case SK.type: case SK.protocol: case SK.src_port: case SK.rx_queue_mapping:
      return narrow(size, 4);
  }
  if (within(off, SK.src_ip4, SK.src_ip4 + 4) || within(off, SK.src_ip6, SK.src_ip6 + 16) || within(off, SK.dst_ip4, SK.dst_ip4 + 4) ||
    within(off, SK.dst_ip6, SK.dst_ip6 + 16)) return narrow(size, 4);
  if (within(off, SK.dst_port, SK.dst_port + 2)) return narrow(size, size === 4 ? 4 : 2);
  if (within(off, SK.dst_port + 2, SK.dst_ip4)) return false;
  return size === 4;
}

/** cgroup/sock programs (sock_filter_is_valid_access): which fields each attach type may read or write. */
function cgroupSockAccess(off: number, size: number, write: boolean, eat: number): CtxAccess {
  if (!bpfSockValid(off, size)) return NO;
  if (off === SK.bound_dev_if || off === SK.mark || off === SK.priority) {
    return eat === EAT.INET_SOCK_CREATE || eat === EAT.INET_SOCK_RELEASE ? SCALAR : NO;
  }
  if (within(off, SK.src_ip4, SK.src_ip4 + 4)) return eat === EAT.INET4_POST_BIND && !write ? SCALAR : NO;
  if (within(off, SK.src_ip6, SK.src_ip6 + 16)) return eat === EAT.INET6_POST_BIND && !write ? SCALAR : NO;
  if (within(off, SK.src_port, SK.src_port + 4)) return (eat === EAT.INET4_POST_BIND || eat === EAT.INET6_POST_BIND) && !write ? SCALAR : NO;
  return write ? NO : SCALAR;
}

/** bpf_sock_common_is_valid_access: bpf_sock without type..priority. */
function sockCommonValid(off: number, size: number): boolean {
  if (off >= SK.type && off < SK.priority + 4) return false;
  return bpfSockValid(off, size);
}

/**
 * bpf_tcp_sock_is_valid_access: u32 fields, bytes_received (80) and bytes_acked (88) are u64. (A u32
 * load of their upper halves passes this check in the kernel but fails its access conversion later,
 * "verifier bug: error during ctx access conversion": refused here at the load.)
 */
function tcpSockValid(off: number, size: number): boolean {
  if (off < 0 || off >= 112 || off % size !== 0) return false;
  if (off === 80 || off === 88) return size === 8;
  if (off === 84 || off === 92) return false;
  return size === 4;
}

/**
 * Field access through a socket pointer (check_sock_access): whether the kernel accepts reading
 * `size` bytes at `off`, and the register type name its message uses.
 */
export function sockPtrAccess(type: RegType, off: number, size: number): { ok: boolean; name: string } {
  switch (type) {
    case RegType.PTR_TO_SOCK_COMMON: return { ok: sockCommonValid(off, size), name: 'sock_common' };
    case RegType.PTR_TO_TCP_SOCK: return { ok: tcpSockValid(off, size), name: 'tcp_sock' };
    case RegType.PTR_TO_XDP_SOCK: return { ok: off === 0 && size === 4, name: 'xdp_sock' };
    default: return { ok: bpfSockValid(off, size), name: 'sock' };
  }
}

// struct bpf_sock_addr
const SA = { user_family: 0, user_ip4: 4, user_ip6: 8, user_port: 24, family: 28, type: 32, protocol: 36, msg_src_ip4: 40,
  msg_src_ip6: 44, sk: 64, size: 72 };

function sockAddrAccess(off: number, size: number, write: boolean, eat: number): CtxAccess {
  if (off < 0 || off >= SA.size || off % size !== 0) return NO;
  const ip4 = within(off, SA.user_ip4, SA.user_ip4 + 4);
  const ip6 = within(off, SA.user_ip6, SA.user_ip6 + 16);
  const src4 = within(off, SA.msg_src_ip4, SA.msg_src_ip4 + 4);
  const src6 = within(off, SA.msg_src_ip6, SA.msg_src_ip6 + 16);
  if (ip4 && ![EAT.INET4_BIND, EAT.INET4_CONNECT, EAT.INET4_GETPEERNAME, EAT.INET4_GETSOCKNAME, EAT.UDP4_SENDMSG, EAT.UDP4_RECVMSG].includes(eat)) return NO;
  if (ip6 && ![EAT.INET6_BIND, EAT.INET6_CONNECT, EAT.INET6_GETPEERNAME, EAT.INET6_GETSOCKNAME, EAT.UDP6_SENDMSG, EAT.UDP6_RECVMSG].includes(eat)) return NO;
  if (src4 && eat !== EAT.UDP4_SENDMSG) return NO;
  if (src6 && eat !== EAT.UDP6_SENDMSG) return NO;
  if (ip4 || ip6 || src4 || src6 || within(off, SA.user_port, SA.user_port + 4)) {
    if (wide(off, size, SA.user_ip6, SA.user_ip6 + 16) || wide(off, size, SA.msg_src_ip6, SA.msg_src_ip6 + 16)) return SCALAR;
    return (write ? size === 4 : narrow(size, 4)) ? SCALAR : NO;
  }
  if (within(off, SA.sk, SA.sk + 8)) return !write && size === 8 ? ptr(RegType.PTR_TO_SOCKET) : NO;
  if (within(off, SA.user_family, 4) || within(off, SA.family, SA.family + 4) || within(off, SA.type, SA.type + 4) ||
    within(off, SA.protocol, SA.protocol + 4)) return !write && size === 4 ? SCALAR : NO;
  return NO;
}

/** struct bpf_sock_ops: reply and sk_txhash writable; u64 counters and pointers; skb_tcp_flags narrow. */
function sockOpsAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off >= 224 || off % size !== 0) return NO;
  if (write) return (off === 4 || off === 164) && size === 4 ? SCALAR : NO;
  if (off >= 168 && off < 184) return size === 8 ? SCALAR : NO; // bytes_received, bytes_acked
  if (within(off, 184, 192)) return size === 8 ? ptr(RegType.PTR_TO_SOCKET, true) : NO;
  if (within(off, 192, 200)) return size === 8 ? ptr(RegType.PTR_TO_PACKET) : NO;
  if (within(off, 200, 208)) return size === 8 ? ptr(RegType.PTR_TO_PACKET_END) : NO;
  if (off === 212) return narrow(size, 4) ? SCALAR : NO; // skb_tcp_flags
  if (within(off, 216, 224)) return size === 8 ? SCALAR : NO; // skb_hwtstamp
  return size === 4 ? SCALAR : NO;
}

/** struct bpf_sockopt: sk, optval, optval_end pointers; level/optname (setsockopt), retval (getsockopt), optlen. */
function sockoptAccess(off: number, size: number, write: boolean, eat: number): CtxAccess {
  if (off < 0 || off >= 40 || off % size !== 0) return NO;
  if (write) {
    if (size !== 4) return NO;
    if (off === 36) return eat === EAT.GETSOCKOPT ? SCALAR : NO;
    if (off === 24 || off === 28) return eat === EAT.SETSOCKOPT ? SCALAR : NO;
    return off === 32 ? SCALAR : NO;
  }
  if (off < 8) return size === 8 ? ptr(RegType.PTR_TO_SOCKET) : NO;
  if (off < 16) return size === 8 ? ptr(RegType.PTR_TO_PACKET) : NO;
  if (off < 24) return size === 8 ? ptr(RegType.PTR_TO_PACKET_END) : NO;
  if (off >= 36) return size === 4 && eat === EAT.GETSOCKOPT ? SCALAR : NO;
  return size === 4 ? SCALAR : NO;
}

/** struct bpf_sk_lookup: read-only; remote_port allows 4-byte loads and its zero padding narrow ones. */
function skLookupAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off >= 72 || off % size !== 0 || write) return NO;
  if (off < 8) return size === 8 ? ptr(RegType.PTR_TO_SOCKET, true) : NO;
  if (within(off, 36, 38)) return size === 4 || narrow(size, 2) ? SCALAR : NO;
  if (within(off, 38, 40)) return narrow(size, 2) ? SCALAR : NO;
  if (off >= 68) return NO;
  return narrow(size, 4) ? SCALAR : NO;
}

/** struct sk_reuseport_md (sk_reuseport_is_valid_access). */
function skReuseportAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off >= 56 || off % size !== 0 || write) return NO;
  switch (off) {
    case 0: return size === 8 ? ptr(RegType.PTR_TO_PACKET) : NO;
    case 8: return size === 8 ? ptr(RegType.PTR_TO_PACKET_END) : NO;
    case 32: return size === 4 ? SCALAR : NO; // hash
    case 40: return size === 8 ? ptr(RegType.PTR_TO_SOCKET) : NO;
    case 48: return size === 8 ? ptr(RegType.PTR_TO_SOCK_COMMON, true) : NO;
  }
  if (within(off, 20, 24) && size < 2) return NO; // eth_protocol: at least the skb's 2-byte protocol
  if (within(off, 16, 32)) return narrow(size, 4) ? SCALAR : NO; // len, eth_protocol, ip_protocol, bind_inany
  return NO;
}

/** struct bpf_cgroup_dev_ctx: access_type narrow, major and minor full u32, read-only. */
function cgroupDevAccess(off: number, size: number, write: boolean): CtxAccess {
  if (write || off < 0 || off + size > 12 || off % size !== 0) return NO;
  if (off < 4) return narrow(size, 4) ? SCALAR : NO;
  return size === 4 ? SCALAR : NO;
}

/** struct bpf_nf_ctx { state; skb; }: two read-only 8-byte pointers (kept as scalars: never more permissive). */
function netfilterAccess(off: number, size: number, write: boolean): CtxAccess {
  if (write || off < 0 || off >= 16 || off % size !== 0) return NO;
  return size === 8 ? SCALAR : NO;
}

/** The rules above for the program types they cover; undefined for other types. */
export function netCtxAccess(progType: number, off: number, size: number, write: boolean, eat: number): CtxAccess | undefined {
  switch (progType) {
    case ProgType.XDP: return xdpAccess(off, size, write, eat);
    case ProgType.CGROUP_SOCK: return cgroupSockAccess(off, size, write, eat);
    case ProgType.CGROUP_SOCK_ADDR: return sockAddrAccess(off, size, write, eat);
    case ProgType.SOCK_OPS: return sockOpsAccess(off, size, write);
    case ProgType.CGROUP_SOCKOPT: return sockoptAccess(off, size, write, eat);
    case ProgType.SK_LOOKUP: return skLookupAccess(off, size, write);
    case ProgType.SK_REUSEPORT: return skReuseportAccess(off, size, write);
    case ProgType.CGROUP_DEVICE: return cgroupDevAccess(off, size, write);
    case ProgType.NETFILTER: return netfilterAccess(off, size, write);
    default: return undefined;
  }
}

// Context access rules per program type: which (offset, size, read/write) accesses to the ctx
// pointer the kernel accepts, and what type a loaded field has (packet pointers, sockets).
// Mirrors the is_valid_access callbacks in net/core/filter.c and kernel/trace/bpf_trace.c.
import { ProgType } from '../progtypes';
import { RegType, PTR_MAYBE_NULL } from './reg';
import { netCtxAccess } from './netctx';

export interface CtxAccess {
  ok: boolean;
  /** type of the loaded value when it is a pointer; scalar otherwise */
  regType?: RegType;
  flags?: number;
}

const NO: CtxAccess = { ok: false };
const SCALAR: CtxAccess = { ok: true };

/** bpf_ctx_narrow_access_ok: a narrower load inside a field of size `full`. */
function narrowOk(off: number, size: number, full: number): boolean {
  return size <= full && (off & (full - 1)) + size <= full && off % size === 0;
}

// struct __sk_buff field offsets (include/uapi/linux/bpf.h)
const SKB = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24, vlan_proto: 28,
  priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44, cb0: 48, cb4end: 68, hash: 68, tc_classid: 72,
  data: 76, data_end: 80, napi_id: 84, family: 88, remote_ip4: 92, local_ip4: 96, remote_ip6: 100, local_ip6: 116,
  remote_port: 132, local_port: 136, data_meta: 140, flow_keys: 144, tstamp: 152, wire_len: 160, gso_segs: 164,
  sk: 168, gso_size: 176, tstamp_type: 180, hwtstamp: 184, size: 192,
};

const inRange = (off: number, start: number, len: number): boolean => off >= start && off < start + len;

function skbBase(off: number, size: number, write: boolean, ldsx: boolean): CtxAccess {
  if (off < 0 || off >= SKB.size) return NO;
  if (off % size !== 0) return NO;
  if (off >= SKB.cb0 && off < SKB.cb4end) {
    if (off + size > SKB.cb4end) return NO;
    return SCALAR;
  }
  if (inRange(off, SKB.data, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.data_end, 4)) {
    if (ldsx || size !== 4) return NO;
    return SCALAR;
  }
  if (inRange(off, SKB.remote_ip6, 16) || inRange(off, SKB.local_ip6, 16) || inRange(off, SKB.remote_ip4, 4) ||
    inRange(off, SKB.local_ip4, 4)) {
    return size === 4 ? SCALAR : NO;
  }
  if (inRange(off, SKB.flow_keys, 8)) return NO;
  if (inRange(off, SKB.hwtstamp, 8)) return write || size !== 8 ? NO : SCALAR;
  if (inRange(off, SKB.tstamp, 8)) return size === 8 ? SCALAR : NO;
  if (inRange(off, SKB.sk, 8)) {
    if (write || size !== 8) return NO;
    return { ok: true, regType: RegType.PTR_TO_SOCK_COMMON, flags: PTR_MAYBE_NULL };
  }
  if (off === SKB.tstamp_type) return NO;
  if (off > SKB.tstamp_type && off < SKB.hwtstamp) return NO;
  if (write) return size === 4 ? SCALAR : NO;
  const fieldStart = off & ~3;
  return narrowOk(off - fieldStart, size, 4) ? SCALAR : NO;
}

function skFilterAccess(off: number, size: number, write: boolean, ldsx: boolean): CtxAccess {
  if (inRange(off, SKB.tc_classid, 4) || inRange(off, SKB.data, 4) || inRange(off, SKB.data_meta, 4) ||
    inRange(off, SKB.data_end, 4) || (off >= SKB.family && off < SKB.local_port + 4) || inRange(off, SKB.tstamp, 8) ||
    inRange(off, SKB.wire_len, 4) || inRange(off, SKB.hwtstamp, 8)) return NO;
  if (write && !(off >= SKB.cb0 && off < SKB.cb4end)) return NO;
  return skbBase(off, size, write, ldsx);
}

function tcAccess(off: number, size: number, write: boolean, ldsx: boolean): CtxAccess {
  if (write) {
    const okWrite = inRange(off, SKB.mark, 4) || inRange(off, SKB.tc_index, 4) || inRange(off, SKB.priority, 4) ||
      inRange(off, SKB.tc_classid, 4) || (off >= SKB.cb0 && off < SKB.cb4end) || inRange(off, SKB.tstamp, 8) ||
      inRange(off, SKB.queue_mapping, 4);
    if (!okWrite) return NO;
  }
  if (off >= SKB.family && off < SKB.local_port + 4) return NO;
  if (off === SKB.tstamp_type) return size === 1 ? SCALAR : NO;
  const r = skbBase(off, size, write, ldsx);
  if (!r.ok) return r;
  if (inRange(off, SKB.data, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET };
  if (inRange(off, SKB.data_meta, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET_META };
  if (inRange(off, SKB.data_end, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET_END };
  return r;
}

function cgSkbAccess(off: number, size: number, write: boolean, ldsx: boolean): CtxAccess {
  if (inRange(off, SKB.tc_classid, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.wire_len, 4)) return NO;
  if (write) {
    const okWrite = inRange(off, SKB.mark, 4) || inRange(off, SKB.priority, 4) || (off >= SKB.cb0 && off < SKB.cb4end) ||
      inRange(off, SKB.tstamp, 8);
    if (!okWrite) return NO;
  }
  const r = skbBase(off, size, write, ldsx);
  if (!r.ok) return r;
  if (inRange(off, SKB.data, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET };
  if (inRange(off, SKB.data_end, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET_END };
  return r;
}

const PT_REGS_SIZE = 168; // x86-64 struct pt_regs

function kprobeAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off >= PT_REGS_SIZE || write || off % size !== 0) return NO;
  if (off + size > PT_REGS_SIZE) return NO;
  return SCALAR;
}

function tracepointAccess(off: number, size: number, write: boolean): CtxAccess {
  // The kernel compares the int offset with sizeof(void *) unsigned: negative offsets pass that test.
  if ((off >>> 0) < 8 || off >= 8192 || write || off % size !== 0) return NO;
  return SCALAR;
}

function skSkbAccess(off: number, size: number, write: boolean, ldsx: boolean): CtxAccess {
  if (inRange(off, SKB.tc_classid, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.tstamp, 8) ||
    inRange(off, SKB.wire_len, 4) || inRange(off, SKB.hwtstamp, 8)) return NO;
  if (write && !(inRange(off, SKB.tc_index, 4) || inRange(off, SKB.priority, 4))) return NO;
  if (inRange(off, SKB.mark, 4)) return NO;
  const r = skbBase(off, size, write, ldsx);
  if (!r.ok) return r;
  if (inRange(off, SKB.data, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET };
  if (inRange(off, SKB.data_end, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET_END };
  return r;
}

function skMsgAccess(off: number, size: number, write: boolean): CtxAccess {
  if (write || off % size !== 0) return NO;
  if (inRange(off, 0, 8)) return size === 8 ? { ok: true, regType: RegType.PTR_TO_PACKET } : NO;
  if (inRange(off, 8, 8)) return size === 8 ? { ok: true, regType: RegType.PTR_TO_PACKET_END } : NO;
  if (inRange(off, 72, 8)) return size === 8 ? { ok: true, regType: RegType.PTR_TO_SOCKET } : NO;
  if (off >= 16 && off < 72) return size === 4 ? SCALAR : NO;
  return NO;
}

function flowDissectorAccess(off: number, size: number, write: boolean, ldsx: boolean): CtxAccess {
  if (off < 0 || off >= SKB.size || off % size !== 0 || write) return NO;
  if (inRange(off, SKB.data, 4)) return ldsx || size !== 4 ? NO : { ok: true, regType: RegType.PTR_TO_PACKET };
  if (inRange(off, SKB.data_end, 4)) return ldsx || size !== 4 ? NO : { ok: true, regType: RegType.PTR_TO_PACKET_END };
  if (inRange(off, SKB.flow_keys, 8)) return size === 8 ? { ok: true, regType: RegType.PTR_TO_FLOW_KEYS } : NO;
  return NO;
}

/** lwt_in/lwt_out/lwt_xmit/lwt_seg6local (lwt_is_valid_access): __sk_buff with mark, priority, cb writable. */
function lwtAccess(off: number, size: number, write: boolean, ldsx: boolean): CtxAccess {
  if (inRange(off, SKB.tc_classid, 4) || (off >= SKB.family && off < SKB.local_port + 4) || inRange(off, SKB.data_meta, 4) ||
    inRange(off, SKB.tstamp, 8) || inRange(off, SKB.wire_len, 4) || inRange(off, SKB.hwtstamp, 8)) return NO;
  if (write && !(inRange(off, SKB.mark, 4) || inRange(off, SKB.priority, 4) || (off >= SKB.cb0 && off < SKB.cb4end))) return NO;
  const r = skbBase(off, size, write, ldsx);
  if (!r.ok) return r;
  if (inRange(off, SKB.data, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET };
  if (inRange(off, SKB.data_end, 4)) return { ok: true, regType: RegType.PTR_TO_PACKET_END };
  return r;
}

/** struct bpf_sysctl { u32 write; u32 file_pos; }: write read-only, file_pos writable as a full u32. */
function sysctlAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off + size > 8 || off % size !== 0) return NO;
  if (off < 4) return write ? NO : narrowOk(off, size, 4) ? SCALAR : NO;
  if (write) return size === 4 ? SCALAR : NO;
  return narrowOk(off - 4, size, 4) ? SCALAR : NO;
}

function rawTpAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off >= 8 * 12 || write || off % size !== 0) return NO;
  return SCALAR;
}

function perfEventAccess(off: number, size: number, write: boolean): CtxAccess {
  // struct bpf_perf_event_data { pt_regs regs; u64 sample_period; u64 addr; }
  if (off < 0 || off >= PT_REGS_SIZE + 16 || write || off % size !== 0) return NO;
  if (off >= PT_REGS_SIZE) return narrowOk(off - (off & ~7), size, 8) ? SCALAR : NO;
  return size === 8 ? SCALAR : NO;
}

/** Tracing programs (fentry/fexit/lsm/tp_btf): u64 arguments, read-only, 8-byte loads. */
function btfCtxAccess(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off % 8 !== 0 || write) return NO;
  if (off >= 8 * 12) return NO;
  return SCALAR;
}

/**
 * Whether the program type's ctx allows this access. `modeled` is false for program types whose
 * ctx rules bpfls does not model yet (then every access is accepted as a scalar read).
 */
export function ctxAccess(progType: number, off: number, size: number, write: boolean, ldsx: boolean, eat = 0): CtxAccess & { modeled: boolean } {
  // one literal shape for every answer (a spread of answers with different fields is megamorphic)
  const m = (r: CtxAccess): CtxAccess & { modeled: boolean } => ({ ok: r.ok, regType: r.regType, flags: r.flags, modeled: true });
  const net = netCtxAccess(progType, off, size, write, eat);
  if (net) return m(net);
  switch (progType) {
    case ProgType.SK_SKB: return m(skSkbAccess(off, size, write, ldsx));
    case ProgType.SK_MSG: return m(skMsgAccess(off, size, write));
    case ProgType.FLOW_DISSECTOR: return m(flowDissectorAccess(off, size, write, ldsx));
    case ProgType.SCHED_CLS:
    case ProgType.SCHED_ACT: return m(tcAccess(off, size, write, ldsx));
    case ProgType.SOCKET_FILTER: return m(skFilterAccess(off, size, write, ldsx));
    case ProgType.CGROUP_SKB: return m(cgSkbAccess(off, size, write, ldsx));
    case ProgType.KPROBE: return m(kprobeAccess(off, size, write));
    case ProgType.TRACEPOINT: return m(tracepointAccess(off, size, write));
    case ProgType.RAW_TRACEPOINT:
    case ProgType.RAW_TRACEPOINT_WRITABLE: return m(rawTpAccess(off, size, write));
    case ProgType.PERF_EVENT: return m(perfEventAccess(off, size, write));
    case ProgType.TRACING:
    case ProgType.STRUCT_OPS:
    case ProgType.LSM: return m(btfCtxAccess(off, size, write));
    case ProgType.LWT_IN:
    case ProgType.LWT_OUT:
    case ProgType.LWT_XMIT:
    case ProgType.LWT_SEG6LOCAL: return m(lwtAccess(off, size, write, ldsx));
    case ProgType.CGROUP_SYSCTL: return m(sysctlAccess(off, size, write));
    default: return { ok: true, regType: undefined, flags: undefined, modeled: false };
  }
}

/** Size of the ctx structure, for helper arguments that pass ctx memory (unused for most types). */
export function ctxSize(progType: number): number {
  switch (progType) {
    case ProgType.XDP: return 24;
    case ProgType.SCHED_CLS: case ProgType.SCHED_ACT: case ProgType.SOCKET_FILTER: case ProgType.CGROUP_SKB: return SKB.size;
    case ProgType.KPROBE: return PT_REGS_SIZE;
    default: return 0;
  }
}

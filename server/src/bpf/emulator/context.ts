// Program contexts built the way BPF_PROG_TEST_RUN builds them (net/bpf/test_run.c): the packet
// buffer with its headroom and tailroom, the ctx struct the program sees (xdp_md, __sk_buff, raw
// tracepoint args, syscall ctx), and the data_out / ctx_out the kernel copies back.
import { ProgType, progTypeName } from '../progtypes';
import { EmulatorFault, Memory, Region, RegionKind } from './memory';

export const XDP_PACKET_HEADROOM = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 */
export const SKB_SHINFO_SIZE = 320;
export const XDP_FRAME_SIZE = 4096; // PAGE_SIZE: the test run's frame_sz
/** sizeof(struct xdp_frame), which sits at the start of the headroom */
export const XDP_FRAME_STRUCT = 40;
export const NET_SKB_PAD = 64;
/** largest XDP metadata (xdp_metalen_invalid: a multiple of 4, at most 255 bytes) */
export const XDP_META_MAX = 255;
export const ETH_HLEN = 14;
export const SIZEOF_SK_BUFF = 192;
export const SIZEOF_XDP_MD = 24;
export const SIZEOF_FLOW_KEYS = 56;

/** __sk_buff field offsets (include/uapi/linux/bpf.h) */
export const SKB = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24, vlan_proto: 28,
  priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44, cb: 48, hash: 68, tc_classid: 72, data: 76,
  data_end: 80, napi_id: 84, family: 88, remote_ip4: 92, local_ip4: 96, remote_ip6: 100, local_ip6: 116,
  remote_port: 132, local_port: 136, data_meta: 140, flow_keys: 144, tstamp: 152, wire_len: 160, gso_segs: 164,
  sk: 168, gso_size: 176, tstamp_type: 180, hwtstamp: 184,
} as const;

export type CtxKind = 'xdp' | 'skb' | 'flow_dissector' | 'raw' | 'syscall' | 'none';

/**
 * The packet the program works on. `buf` holds headroom + packet + tailroom; offsets are into buf.
 * The packet region's valid window follows [meta, end) as helpers move the pointers.
 */
export class Packet {
  meta: number;
  constructor(readonly region: Region, public data: number, public end: number) {
    this.meta = data;
    this.sync();
  }
  get buf(): Uint8Array { return this.region.bytes; }
  get len(): number { return this.end - this.data; }
  sync(): void { this.region.start = this.meta; this.region.end = this.end; }
  addr(off: number): { hi: number; lo: number } { return { hi: this.region.addrHi(), lo: this.region.addrLo(off) }; }
}

export interface BuiltContext {
  kind: CtxKind;
  ctx: Region | undefined;
  packet?: Packet;
  /** skb: whether the program sees the packet from the MAC header (tc) */
  isL2?: boolean;
  flowKeys?: Region;
  /** r1 for the program */
  r1: { hi: number; lo: number };
  /** what BPF_PROG_TEST_RUN copies back */
  dataOut(): Uint8Array;
  ctxOut(): Uint8Array | undefined;
  /** per-run setup and teardown that the test run repeats for every `repeat` */
  beforeRun?(): void;
  afterRun?(): void;
}

function u32(b: Uint8Array, off: number): number { return new DataView(b.buffer, b.byteOffset).getUint32(off, true); }

function pointerHooks(fields: Record<number, () => { hi: number; lo: number }>) {
  return {
    load(off: number, size: number, mem: Memory): boolean {
      const f = fields[off];
      if (f === undefined) return false;
      if (size < 4) throw new EmulatorFault(`narrow ${size}-byte load of a pointer field at ctx offset ${off}`);
      const a = f();
      mem.outLo = a.lo; mem.outHi = a.hi;
      return true;
    },
    store(off: number): boolean {
      if (fields[off] !== undefined) throw new EmulatorFault(`write to read-only ctx pointer field at offset ${off}`);
      return false;
    },
  };
}

export function ctxKindOf(progType: number): CtxKind {
  switch (progType) {
    case ProgType.XDP: return 'xdp';
    case ProgType.SCHED_CLS: case ProgType.SCHED_ACT: case ProgType.SOCKET_FILTER: case ProgType.CGROUP_SKB:
    case ProgType.LWT_IN: case ProgType.LWT_OUT: case ProgType.LWT_XMIT:
      return 'skb';
    case ProgType.FLOW_DISSECTOR: return 'flow_dissector';
    case ProgType.RAW_TRACEPOINT: case ProgType.RAW_TRACEPOINT_WRITABLE: case ProgType.TRACING:
    case ProgType.KPROBE: case ProgType.TRACEPOINT: case ProgType.PERF_EVENT: case ProgType.LSM:
      return 'raw';
    case ProgType.SYSCALL: return 'syscall';
    case ProgType.UNSPEC: return 'none';
    default: return 'none';
  }
}

/** Builds the context of one test run; throws EmulatorFault with the kernel's reason (EINVAL...) for bad input. */
export function buildContext(mem: Memory, progType: number, dataIn: Uint8Array | undefined, ctxIn: Uint8Array | undefined): BuiltContext {
  const kind = ctxKindOf(progType);
  switch (kind) {
    case 'xdp': return buildXdp(mem, dataIn ?? new Uint8Array(0), ctxIn);
    case 'skb': return buildSkb(mem, progType, dataIn ?? new Uint8Array(0), ctxIn);
    case 'flow_dissector': return buildFlowDissector(mem, dataIn ?? new Uint8Array(0), ctxIn);
    case 'raw': case 'syscall': {
      if (dataIn && dataIn.length) throw new EmulatorFault(`${progTypeName(progType)} test runs take no data_in (the kernel answers EINVAL)`);
      const bytes = ctxIn ? ctxIn.slice() : new Uint8Array(0);
      const ctx = bytes.length ? mem.add(RegionKind.Ctx, 'ctx', bytes) : undefined;
      if (ctx && kind === 'raw') ctx.readonly = progType !== ProgType.RAW_TRACEPOINT_WRITABLE;
      return {
        kind, ctx, r1: ctx ? { hi: ctx.addrHi(), lo: ctx.addrLo(0) } : { hi: 0, lo: 0 },
        dataOut: () => new Uint8Array(0),
        ctxOut: () => (kind === 'syscall' && ctx ? ctx.bytes.slice() : undefined),
      };
    }
    default:
      throw new EmulatorFault(`${progTypeName(progType)} programs cannot be test-run (the kernel has no BPF_PROG_TEST_RUN for them)`);
  }
}

function buildXdp(mem: Memory, dataIn: Uint8Array, ctxIn: Uint8Array | undefined): BuiltContext {
  let metaSz = 0;
  let linear = dataIn.length;
  let rxQueue = 0, ingress = 1;
  if (ctxIn) {
    if (ctxIn.length > SIZEOF_XDP_MD && ctxIn.subarray(SIZEOF_XDP_MD).some((b) => b !== 0)) throw new EmulatorFault('ctx_in: bytes after struct xdp_md must be zero (EINVAL)');
    const md = new Uint8Array(SIZEOF_XDP_MD); md.set(ctxIn.subarray(0, SIZEOF_XDP_MD));
    const data = u32(md, 0), dataEnd = u32(md, 4), dataMeta = u32(md, 8);
    if (dataMeta || dataEnd > dataIn.length || data > dataEnd) throw new EmulatorFault('ctx_in: xdp_md data/data_end/data_meta are inconsistent with data_in (EINVAL)');
    if (u32(md, 20) !== 0) throw new EmulatorFault('ctx_in: xdp_md egress_ifindex must be 0 (EINVAL)');
    metaSz = data;
    if ((metaSz & 3) || metaSz > XDP_META_MAX || metaSz > XDP_PACKET_HEADROOM - XDP_FRAME_STRUCT) throw new EmulatorFault(`ctx_in: metadata size must be a multiple of 4 and at most ${XDP_PACKET_HEADROOM - XDP_FRAME_STRUCT} (EINVAL)`);
    linear = dataEnd;
    ingress = u32(md, 12); rxQueue = u32(md, 16);
    if (ingress === 0 && rxQueue) throw new EmulatorFault('ctx_in: rx_queue_index needs ingress_ifindex (EINVAL)');
    if (ingress > 1) throw new EmulatorFault(`ctx_in: ingress_ifindex ${ingress}: the emulator only has the loopback device (ifindex 1)`);
    if (rxQueue > 0) throw new EmulatorFault('ctx_in: rx_queue_index must be 0 on the loopback device (EINVAL)');
    if (ingress === 0) ingress = 1;
  }
  const maxLinear = XDP_FRAME_SIZE - XDP_PACKET_HEADROOM - SKB_SHINFO_SIZE;
  if (linear > maxLinear || dataIn.length > linear) throw new EmulatorFault(`data_in of ${dataIn.length} bytes needs fragments (more than ${maxLinear} linear bytes): not emulated`);
  if (dataIn.length - metaSz < ETH_HLEN) throw new EmulatorFault(`data_in must hold at least an Ethernet header (${ETH_HLEN} bytes) (EINVAL)`);
  const buf = new Uint8Array(XDP_FRAME_SIZE);
  const headroom = XDP_PACKET_HEADROOM - metaSz;
  buf.set(dataIn.subarray(0, linear), headroom);
  const region = mem.add(RegionKind.Packet, 'packet', buf);
  const pkt = new Packet(region, headroom + metaSz, headroom + linear);
  pkt.meta = headroom;
  pkt.sync();
  const md = new Uint8Array(SIZEOF_XDP_MD);
  const dv = new DataView(md.buffer);
  dv.setUint32(12, ingress, true); dv.setUint32(16, rxQueue, true);
  const ctx = mem.add(RegionKind.Ctx, 'xdp_md', md);
  ctx.hooks = pointerHooks({ 0: () => pkt.addr(pkt.data), 4: () => pkt.addr(pkt.end), 8: () => pkt.addr(pkt.meta) });
  ctx.readonly = true;
  return {
    kind: 'xdp', ctx, packet: pkt, r1: { hi: ctx.addrHi(), lo: ctx.addrLo(0) },
    dataOut: () => buf.slice(pkt.meta, pkt.end),
    ctxOut: () => {
      if (!ctxIn) return undefined;
      const o = new Uint8Array(SIZEOF_XDP_MD);
      o.set(ctxIn.subarray(0, SIZEOF_XDP_MD));
      const v = new DataView(o.buffer);
      v.setUint32(0, pkt.data - pkt.meta, true);
      v.setUint32(4, pkt.end - pkt.meta, true);
      return o;
    },
  };
}

function ethProtocol(pkt: Uint8Array, off: number): number {
  const proto = (pkt[off + 12] << 8) | pkt[off + 13];
  if (proto >= 0x600) return proto;
  // eth_type_trans: raw 802.3 (IPX) frames start 0xffff, everything else is 802.2 LLC
  return (pkt[off + 14] === 0xff && pkt[off + 15] === 0xff) ? 0x0001 : 0x0004;
}

function buildSkb(mem: Memory, progType: number, dataIn: Uint8Array, ctxIn: Uint8Array | undefined): BuiltContext {
  const size = dataIn.length;
  if (size < ETH_HLEN) throw new EmulatorFault(`data_in must hold at least an Ethernet header (${ETH_HLEN} bytes) (EINVAL)`);
  const isL2 = progType === ProgType.SCHED_CLS || progType === ProgType.SCHED_ACT;
  const sk = new Uint8Array(SIZEOF_SK_BUFF);
  if (ctxIn) {
    const c = new Uint8Array(SIZEOF_SK_BUFF); c.set(ctxIn.subarray(0, SIZEOF_SK_BUFF));
    if (ctxIn.length > SIZEOF_SK_BUFF && ctxIn.subarray(SIZEOF_SK_BUFF).some((b) => b !== 0)) throw new EmulatorFault('ctx_in: bytes after struct __sk_buff must be zero (EINVAL)');
    const allowed: [number, number][] = [[SKB.mark, 4], [SKB.priority, 4], [SKB.ingress_ifindex, 4], [SKB.ifindex, 4], [SKB.cb, 20], [SKB.tstamp, 8], [SKB.wire_len, 4], [SKB.gso_segs, 4], [SKB.gso_size, 4], [SKB.hwtstamp, 8]];
    const ok = new Uint8Array(SIZEOF_SK_BUFF);
    for (const [o, n] of allowed) ok.fill(1, o, o + n);
    for (let i = 0; i < SIZEOF_SK_BUFF; i++) {
      if (!ok[i] && c[i] !== 0) throw new EmulatorFault(`ctx_in: __sk_buff byte ${i} must be zero: only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp may be set (EINVAL)`);
    }
    const ifindex = u32(c, SKB.ifindex);
    if (ifindex > 1) throw new EmulatorFault(`ctx_in: ifindex ${ifindex}: the emulator only has the loopback device (ifindex 1)`);
    const wire = u32(c, SKB.wire_len);
    const pktLenAtConvert = isL2 ? size : size - ETH_HLEN;
    if (wire !== 0 && (wire < pktLenAtConvert || wire > 65536)) throw new EmulatorFault('ctx_in: wire_len out of range (EINVAL)');
    if (u32(c, SKB.gso_segs) > 65535) throw new EmulatorFault('ctx_in: gso_segs out of range (EINVAL)');
    for (const [o, n] of allowed) sk.set(c.subarray(o, o + n), o);
  }
  const buf = new Uint8Array(NET_SKB_PAD + size + SKB_SHINFO_SIZE);
  buf.set(dataIn, NET_SKB_PAD);
  const region = mem.add(RegionKind.Packet, 'packet', buf);
  const dataStart = isL2 ? NET_SKB_PAD : NET_SKB_PAD + ETH_HLEN;
  const pkt = new Packet(region, dataStart, NET_SKB_PAD + size);
  const dv = new DataView(sk.buffer);
  const proto = ethProtocol(dataIn, 0);
  // pkt_type as eth_type_trans sets it on the loopback device, whose address and broadcast
  // address are both 00:00:00:00:00:00: every group address is PACKET_MULTICAST
  const dst = dataIn.subarray(0, 6);
  const pktType = (dst[0] & 1) ? 2 : (dst.some((b) => b !== 0) ? 3 : 0);
  dv.setUint32(SKB.pkt_type, pktType, true);
  dv.setUint16(SKB.protocol, ((proto & 0xff) << 8) | (proto >> 8), true); // __be16 as stored
  dv.setUint32(SKB.ifindex, 1, true);
  // qdisc_skb_cb's pkt_len is only filled in when a ctx_in is given
  if (ctxIn && u32(sk, SKB.wire_len) === 0) dv.setUint32(SKB.wire_len, isL2 ? size : size - ETH_HLEN, true);
  // the dummy socket of the test run: family and addresses from the IP header
  let family = 0;
  if (proto === 0x0800) {
    if (size - ETH_HLEN < 20) throw new EmulatorFault('data_in: an IPv4 packet needs a 20-byte header (EINVAL)');
    family = 2;
    sk.set(dataIn.subarray(ETH_HLEN + 16, ETH_HLEN + 20), SKB.remote_ip4);
    sk.set(dataIn.subarray(ETH_HLEN + 12, ETH_HLEN + 16), SKB.local_ip4);
  } else if (proto === 0x86dd) {
    if (size - ETH_HLEN < 40) throw new EmulatorFault('data_in: an IPv6 packet needs a 40-byte header (EINVAL)');
    family = 10;
    sk.set(dataIn.subarray(ETH_HLEN + 24, ETH_HLEN + 40), SKB.remote_ip6);
    sk.set(dataIn.subarray(ETH_HLEN + 8, ETH_HLEN + 24), SKB.local_ip6);
  }
  dv.setUint32(SKB.family, family, true);
  const sock = new Uint8Array(80);
  new DataView(sock.buffer).setUint32(4, family, true);
  const sockRegion = mem.add(RegionKind.Ctx, 'bpf_sock', sock);
  sockRegion.readonly = true;
  const ctx = mem.add(RegionKind.Ctx, '__sk_buff', sk);
  const hooks = pointerHooks({
    [SKB.data]: () => pkt.addr(pkt.data), [SKB.data_end]: () => pkt.addr(pkt.end), [SKB.data_meta]: () => pkt.addr(pkt.data),
    [SKB.flow_keys]: () => ({ hi: 0, lo: 0 }), [SKB.sk]: () => ({ hi: sockRegion.addrHi(), lo: sockRegion.addrLo(0) }),
  });
  ctx.hooks = {
    load(off, sz, m) {
      if (off === SKB.len && sz === 4) { m.outLo = pkt.len; m.outHi = 0; return true; }
      return hooks.load(off, sz, m);
    },
    store: hooks.store,
  };
  return {
    kind: 'skb', ctx, packet: pkt, isL2, r1: { hi: ctx.addrHi(), lo: ctx.addrLo(0) },
    dataOut: () => {
      if (isL2) return buf.slice(pkt.data, pkt.end);
      const start = pkt.data - ETH_HLEN;
      const o = buf.slice(start, pkt.end);
      o.fill(0, 0, ETH_HLEN); // the test run clears the pushed-back MAC header
      return o;
    },
    ctxOut: () => {
      if (!ctxIn) return undefined;
      const o = new Uint8Array(SIZEOF_SK_BUFF);
      o.set(ctxIn.subarray(0, SIZEOF_SK_BUFF));
      for (const [f, n] of [[SKB.mark, 4], [SKB.priority, 4], [SKB.ingress_ifindex, 4], [SKB.ifindex, 4], [SKB.tstamp, 8], [SKB.cb, 20], [SKB.wire_len, 4], [SKB.gso_segs, 4], [SKB.hwtstamp, 8]] as const) {
        o.set(sk.subarray(f, f + n), f);
      }
      return o;
    },
  };
}

function buildFlowDissector(mem: Memory, dataIn: Uint8Array, ctxIn: Uint8Array | undefined): BuiltContext {
  if (dataIn.length < ETH_HLEN) throw new EmulatorFault(`data_in must hold at least an Ethernet header (${ETH_HLEN} bytes) (EINVAL)`);
  const keys = new Uint8Array(SIZEOF_FLOW_KEYS);
  const kv = new DataView(keys.buffer);
  if (ctxIn) {
    const c = new Uint8Array(SIZEOF_FLOW_KEYS); c.set(ctxIn.subarray(0, SIZEOF_FLOW_KEYS));
    for (let i = 0; i < SIZEOF_FLOW_KEYS; i++) if ((i < 48 || i >= 52) && c[i] !== 0) throw new EmulatorFault('ctx_in: only bpf_flow_keys.flags may be set (EINVAL)');
    kv.setUint32(48, u32(c, 48), true);
  }
  const flags = kv.getUint32(48, true);
  // bpf_flow_dissect: fresh keys for every run, then nhoff/thoff clamped to the packet
  const beforeRun = () => {
    keys.fill(0);
    kv.setUint16(0, ETH_HLEN, true); // nhoff
    kv.setUint16(2, ETH_HLEN, true); // thoff
    keys[10] = dataIn[12]; keys[11] = dataIn[13]; // n_proto, network order
    kv.setUint32(48, flags, true);
  };
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const afterRun = () => {
    const nh = clamp(kv.getUint16(0, true), ETH_HLEN, dataIn.length);
    kv.setUint16(0, nh, true);
    kv.setUint16(2, clamp(kv.getUint16(2, true), nh, dataIn.length), true);
  };
  const buf = new Uint8Array(dataIn.length);
  buf.set(dataIn);
  const region = mem.add(RegionKind.Packet, 'packet', buf);
  const pkt = new Packet(region, 0, dataIn.length);
  const fk = mem.add(RegionKind.FlowKeys, 'bpf_flow_keys', keys);
  const sk = new Uint8Array(SIZEOF_SK_BUFF);
  const ctx = mem.add(RegionKind.Ctx, '__sk_buff', sk);
  ctx.hooks = pointerHooks({
    [SKB.data]: () => pkt.addr(pkt.data), [SKB.data_end]: () => pkt.addr(pkt.end),
    [SKB.flow_keys]: () => ({ hi: fk.addrHi(), lo: fk.addrLo(0) }),
  });
  ctx.readonly = true;
  return {
    kind: 'flow_dissector', ctx, packet: pkt, flowKeys: fk, r1: { hi: ctx.addrHi(), lo: ctx.addrLo(0) },
    dataOut: () => keys.slice(),
    ctxOut: () => undefined,
    beforeRun, afterRun,
  };
}

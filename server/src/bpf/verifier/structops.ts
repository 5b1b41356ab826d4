// struct_ops programs: each implements one member of a kernel struct of function pointers (libbpf
// loads it with attach_btf_id = that struct, expected_attach_type = the member's index). Its ctx is
// the member's arguments as u64 slots, struct pointers among them trusted BTF pointers, as the
// kernel's btf_ctx_access gives them.
import type { Btf, LoadedProgram } from '../loader/types';
import { BtfKind, BtfType } from '../btf/types';
import type { BtfPtr } from './btfaccess';
import { stripModifiers as strip } from './btfutil';


/** The FUNC_PROTO of the member the program implements, or undefined. */
export function structOpsProto(btf: Btf | undefined, prog: LoadedProgram): BtfType | undefined {
  if (!btf || !prog.attachBtfId) return undefined;
  const st = btf.types[prog.attachBtfId];
  if (!st || st.kind !== BtfKind.STRUCT) return undefined;
  const m = st.members?.[prog.expectedAttachType];
  if (!m) return undefined;
  const p = strip(btf, m.type);
  const fp = p?.kind === BtfKind.PTR ? strip(btf, p.type) : undefined;
  return fp?.kind === BtfKind.FUNC_PROTO ? fp : undefined;
}

/** What a ctx load at byte offset off yields: a trusted BTF pointer for struct-pointer arguments. */
export function structOpsCtxArg(btf: Btf | undefined, prog: LoadedProgram, off: number): BtfPtr | undefined {
  if (!btf || off % 8 !== 0) return undefined;
  const proto = structOpsProto(btf, prog);
  const param = proto?.params?.[off / 8];
  if (!param) return undefined;
  const p = strip(btf, param.type);
  if (!p || p.kind !== BtfKind.PTR) return undefined;
  const s = strip(btf, p.type);
  if (!s || (s.kind !== BtfKind.STRUCT && s.kind !== BtfKind.UNION)) return undefined;
  // bpf_tcp_ca_is_valid_access: a congestion control's socket argument is a tcp_sock
  if (s.name === 'sock' && btf.types[prog.attachBtfId!]?.name === 'tcp_congestion_ops') {
    const tp = btf.byName('tcp_sock', BtfKind.STRUCT);
    if (tp) return { btfId: tp.id, name: 'tcp_sock', maybeNull: false, trusted: true };
  }
  return { btfId: s.id, name: s.name, maybeNull: false, trusted: true };
}

/** Byte offset and size of the first member named `name` inside struct id (nested structs searched in order). */
function findMember(btf: Btf, id: number, name: string, base = 0, depth = 0): { off: number; size: number } | undefined {
  const t = strip(btf, id);
  if (!t || depth > 8 || (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION)) return undefined;
  for (const m of t.members ?? []) {
    const off = base + Math.floor(m.offset / 8);
    if (m.name === name) {
      const mt = strip(btf, m.type);
      const size = mt ? (btf.sizeOf?.(mt.id) ?? (mt.kind === BtfKind.PTR ? 8 : mt.size)) : 0;
      return { off, size };
    }
  }
  for (const m of t.members ?? []) {
    const r = findMember(btf, m.type, name, base + Math.floor(m.offset / 8), depth + 1);
    if (r) return r;
  }
  return undefined;
}

const TCP_CA_WRITABLE = ['sk_pacing_rate', 'sk_pacing_status', 'snd_cwnd', 'snd_cwnd_cnt', 'snd_cwnd_stamp', 'snd_ssthresh', 'ecn_flags', 'app_limited'];

/**
 * bpf_tcp_ca_btf_struct_access: the tcp_sock fields a congestion control may store to. Returns
 * undefined when the write is allowed, else the kernel's message.
 */
export function tcpCaWriteError(btf: Btf | undefined, tcpSockId: number, off: number, size: number): string | undefined {
  if (!btf) return undefined;
  let end: number | undefined;
  const priv = findMember(btf, tcpSockId, 'icsk_ca_priv');
  if (priv && off >= priv.off && off < priv.off + priv.size) end = priv.off + priv.size;
  const ack = findMember(btf, tcpSockId, 'icsk_ack');
  if (end === undefined && ack) {
    const pending = findMember(btf, (strip(btf, tcpSockId)?.members ?? []).length ? ackTypeId(btf, tcpSockId) : 0, 'pending');
    if (pending && off === ack.off + pending.off) end = off + pending.size;
  }
  for (const f of TCP_CA_WRITABLE) {
    if (end !== undefined) break;
    const m = findMember(btf, tcpSockId, f);
    if (m && m.off === off) end = m.off + m.size;
  }
  if (end === undefined) return `no write support to tcp_sock at off ${off}`;
  if (off + size > end) return `write access at off ${off} with size ${size} beyond the member of tcp_sock ended at ${end}`;
  return undefined;
}

/** The type id of inet_connection_sock's icsk_ack member. */
function ackTypeId(btf: Btf, id: number, depth = 0): number {
  const t = strip(btf, id);
  if (!t || depth > 8 || (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.UNION)) return 0;
  for (const m of t.members ?? []) if (m.name === 'icsk_ack') return m.type;
  for (const m of t.members ?? []) {
    const r = ackTypeId(btf, m.type, depth + 1);
    if (r) return r;
  }
  return 0;
}

/** Number of u64 ctx slots (the member's argument count); undefined when the member is unknown. */
export function structOpsArgCount(btf: Btf | undefined, prog: LoadedProgram): number | undefined {
  return structOpsProto(btf, prog)?.params?.length;
}

// Kptrs in map values (kernel/bpf/verifier.c: check_map_access's kptr rules, check_map_kptr_access,
// btf_ld_kptr_type, process_kptr_func, map_kptr_match_type). A map value member declared
// `struct task_struct __kptr *p` (or __kptr_untrusted, __percpu_kptr) holds a kernel object:
// loads give a maybe-NULL BTF pointer (RCU-protected inside an RCU section for referenced kptrs of
// the types the kernel lists, untrusted otherwise), stores to referenced kptrs are refused (only
// bpf_kptr_xchg moves a reference in or out), and bpf_kptr_xchg returns the old object as an
// acquired reference. Kptrs to program types (bpf_obj_new objects) are graph.ts's.
import type { Btf, MapDef } from '../loader/types';
import { BtfKind } from '../btf/types';
import { RegType, MEM_ALLOC, MEM_RCU, PTR_MAYBE_NULL, PTR_TRUSTED, PTR_UNTRUSTED, regTypeStr, sminNum, umaxNum, type RReg } from './reg';
import { tnumIsConst, tnumIsZero, tnumUNum } from './tnum';
import { mapRecord, regRecord, type GraphField } from './graph';
import { stripModifiers as strip } from './btfutil';

/** rcu_protected_types: referenced kptrs to these may be read as RCU pointers in an RCU section */
const RCU_PROTECTED = new Set(['prog_test_ref_kfunc', 'cgroup', 'bpf_cpumask', 'task_struct', 'bpf_crypto_ctx']);

/** A kptr field of a map value whose pointee is a kernel struct (its id in the target BTF). */
export interface KernelKptr { off: number; tag: string; btfId: number; name: string }

function kptrFields(progBtf: Btf | undefined, map: MapDef | undefined): GraphField[] {
  return mapRecord(progBtf, map)?.fields.filter((f) => f.kind === 'kptr') ?? [];
}

function asKernel(f: GraphField, targetBtf: Btf | undefined): KernelKptr | undefined {
  const t = f.pointeeName ? targetBtf?.byName(f.pointeeName, BtfKind.STRUCT) : undefined;
  return t ? { off: f.off, tag: f.kptrTag ?? 'kptr', btfId: t.id, name: f.pointeeName ?? '' } : undefined;
}

export type KptrAccessKind = 'ldx' | 'ldsx' | 'stx' | 'st' | 'atomic';

/**
 * A direct load or store of `size` bytes at [lo, hi) (bounds over the register's range) of a map
 * value: the kernel's error when it touches a kptr field the wrong way, else the kernel kptr field
 * a load reads (undefined: no kptr field, or one graph.ts models). `value`: the stored register.
 */
export function mapKptrAccess(progBtf: Btf | undefined, targetBtf: Btf | undefined, reg: RReg, off: number, size: number,
  kind: KptrAccessKind, value: RReg | undefined, valueRegno: number, imm: number | undefined): { error?: string; load?: KernelKptr; precise?: boolean } {
  const fields = kptrFields(progBtf, reg.map);
  if (!fields.length) return {};
  const lo = sminNum(reg) + off, hi = umaxNum(reg) + off + size;
  const f = fields.find((x) => lo < x.off + x.size && x.off < hi);
  if (!f) return {};
  // check_map_access
  if (!tnumIsConst(reg.varOff)) return { error: 'kptr access cannot have variable offset' };
  const at = off + tnumUNum(reg.varOff);
  if (f.off !== at) return { error: `kptr access misaligned expected=${f.off} off=${at}` };
  if (size !== 8) return { error: 'kptr access size must be BPF_DW' };
  // check_map_kptr_access
  if (kind === 'ldsx' || kind === 'atomic') return { error: 'kptr in map can only be accessed using BPF_MEM instruction mode' };
  const referenced = f.kptrTag === 'kptr' || f.kptrTag === 'percpu_kptr';
  if (kind !== 'ldx' && referenced) return { error: 'store to referenced kptr disallowed' };
  const k = asKernel(f, targetBtf);
  if (kind === 'ldx') return { load: k };
  if (kind === 'st') return imm ? { error: `BPF_ST imm must be 0 when storing to kptr at off=${f.off}` } : {};
  // BPF_STX into an unreferenced kptr: NULL (precise) or a pointer to the same type
  if (!value || (value.type === RegType.SCALAR_VALUE && tnumIsZero(value.varOff))) return { precise: true };
  if (k && f.kptrTag === 'kptr_untrusted') {
    const why = kptrMatchType(targetBtf, k, value, 'unref', valueRegno);
    if (why) return { error: why };
  }
  return {};
}

/** btf_ld_kptr_type for a kernel kptr: the flags of the pointer a load yields. */
export function kptrLoadFlags(k: KernelKptr, inRcuCs: boolean): number {
  const rcuSafe = k.tag === 'percpu_kptr' || (k.tag === 'kptr' && RCU_PROTECTED.has(k.name));
  return PTR_MAYBE_NULL | (rcuSafe && inRcuCs ? MEM_RCU : PTR_UNTRUSTED);
}

/** map_kptr_match_type: why `reg` cannot be stored in (or exchanged into) the kptr k, or undefined. */
function kptrMatchType(targetBtf: Btf | undefined, k: KernelKptr, reg: RReg, kind: 'ref' | 'unref', regno: number): string | undefined {
  // kernel objects: maybe-NULL, trusted and RCU pointers fit; untrusted ones only an unreferenced kptr
  const perm = PTR_MAYBE_NULL | PTR_TRUSTED | MEM_RCU | (kind === 'unref' ? PTR_UNTRUSTED : 0);
  const regName = reg.type === RegType.PTR_TO_BTF_ID ? reg.btfName ?? '' : '';
  const ok = reg.type === RegType.PTR_TO_BTF_ID && !(reg.flags & ~perm) && reg.off === 0 && tnumIsZero(reg.varOff) &&
    !!targetBtf && strip(targetBtf, reg.btfId)?.id === k.btfId;
  if (ok) return undefined;
  const exp = `${regTypeStr(RegType.PTR_TO_BTF_ID, 0)}${k.name}` + (kind === 'unref' ? ` or ${regTypeStr(RegType.PTR_TO_BTF_ID, PTR_UNTRUSTED)}${k.name}` : '');
  return `invalid kptr access, R${regno} type=${regTypeStr(reg.type, reg.flags)}${regName} expected=${exp}`;
}

/**
 * process_kptr_func and the type check of bpf_kptr_xchg's value (R2): the kernel kptr field R1
 * points to, or the kernel's error; undefined when R1 is not at a kernel kptr (graph.ts's local
 * kptrs, or no kptr at all: the existing checks decide).
 */
export function kernelKptrXchg(progBtf: Btf | undefined, targetBtf: Btf | undefined, dst: RReg, src: RReg): KernelKptr | string | undefined {
  // (the destination is a map value or a bpf_obj_new object holding the kptr)
  if (dst.type !== RegType.PTR_TO_MAP_VALUE && !(dst.type === RegType.PTR_TO_BTF_ID && dst.flags & MEM_ALLOC)) return undefined;
  const map = dst.type === RegType.PTR_TO_MAP_VALUE ? dst.map : undefined;
  if (map && !map.btfValueTypeId) return `map '${map.name}' has to have BTF in order to use bpf_kptr_xchg`;
  if (!tnumIsConst(dst.varOff)) return 'R1 doesn\'t have constant offset. kptr has to be at the constant offset';
  const fields = regRecord(progBtf, dst)?.fields.filter((f) => f.kind === 'kptr') ?? [];
  if (!fields.length) return map ? 'R1 has no valid kptr' : undefined; // (objects: graph.ts's records decide)
  const off = dst.off + tnumUNum(dst.varOff);
  const f = fields.find((x) => x.off === off);
  if (!f) return `off=${off} doesn't point to kptr`;
  const k = asKernel(f, targetBtf);
  if (!k) return undefined;
  if (f.kptrTag !== 'kptr' && f.kptrTag !== 'percpu_kptr') return `off=${off} kptr isn't referenced kptr`;
  if (f.kptrTag === 'percpu_kptr') return undefined; // not modelled
  if (src.type === RegType.SCALAR_VALUE && tnumIsZero(src.varOff)) return k;
  return kptrMatchType(targetBtf, k, src, 'ref', 2) ?? k;
}

// States in the kernel verifier log's format (print_verifier_state in kernel/bpf/log.c): registers
// " R1=ctx() R10=fp0", stack slots " fp-8=0000????", iterators and dynptrs by their stack slots,
// references held " refs=2,3", callback frames " cb". Only called when a log is being written.
import type { Btf } from '../loader/types';
import { RegType, regStr } from './reg';
import { Slot, SLOT_CHAR, isSpilledReg, type Frame, type VState } from './state';

/** One stack slot (i: 0 is fp-8) as the log prints it, '' when it prints nothing. */
export function slotLogStr(f: Frame, i: number, btf?: Btf): string {
  const stk = f.stackRO;
  const s = stk[i];
  if (!s) return '';
  let valid = false;
  for (const t of s.types) if (t !== Slot.INVALID) { valid = true; break; }
  if (!valid) return '';
  // slot_type[0] is the byte just below fp-(i*8), the highest address: printed first
  let types = '';
  for (const t of s.types) types += SLOT_CHAR[t];
  const last = s.types[7];
  if (last === Slot.SPILL && isSpilledReg(s)) {
    const j = s.types.indexOf(Slot.SPILL);
    return `fp${-(i + 1) * 8}=${j >= 0 ? types.slice(0, j) : types}${regStr(s.spilled, f.frameno)}`;
  }
  if (last === Slot.ITER) {
    // only the iterator's main slot (the highest one) carries the reference: the others print nothing
    const r = s.spilled;
    const up = stk[i + 1];
    if (!r.refObjId || (up && up.types[7] === Slot.ITER && up.spilled.refObjId === r.refObjId)) return '';
    // bpf_iter_num is handled without its BTF id (verifier.ts): the only iterator that has none
    const tn = r.btfId ? btf?.types[r.btfId]?.name ?? '' : 'bpf_iter_num';
    const name = tn ? tn.replace(/^bpf_iter_/, '') : '<invalid>';
    return `fp${-(i + 1) * 8}=iter_${name}(ref_id=${r.refObjId},state=${r.iterState ?? 'invalid'},depth=${r.iterDepth ?? 0})`;
  }
  return `fp${-(i + 1) * 8}=${types}`;
}

/** Dynptr slots come in pairs: the log prints the pair once, at its lower slot (higher fp offset). */
function dynptrLogStr(f: Frame, i: number): string {
  const r = f.stackRO[i].spilled;
  let inner = '';
  const add = (x: string): void => { inner += inner ? `,${x}` : x; };
  if (r.id) add(`id=${r.id}`);
  if (r.refObjId) add(`ref_id=${r.refObjId}`);
  if (r.dynptrId) add(`dynptr_id=${r.dynptrId}`);
  return `fp${-(i + 1) * 8}=dynptr_${r.dynptrType ?? 'local'}(${inner})`;
}

/** Stack slots of a frame, each with its leading space; `want` filters slot indices (scratched). */
export function stackLogStr(f: Frame, btf?: Btf, want?: (i: number) => boolean): string {
  let s = '';
  const stk = f.stackRO;
  for (let i = 0; i < stk.length; i++) {
    if (want && !want(i)) continue;
    const x = stk[i];
    if (x.types[7] === Slot.DYNPTR) {
      // print_verifier_state skips to the pair's second slot and prints it with the first's reg
      const j = i + 1 < stk.length ? i + 1 : i;
      if (stk[j].types[7] === Slot.DYNPTR) { s += ' ' + dynptrLogStr(f, j); i = j; continue; }
    }
    const t = slotLogStr(f, i, btf);
    if (t) s += ' ' + t;
  }
  return s;
}

/** What every printed state ends with: references (locks included, by id), callback marks. */
export function stateTailStr(st: VState, f: Frame): string {
  let s = '';
  const refs = st.refs;
  if (refs.length || st.activeLock) {
    const ids: number[] = [];
    for (const r of refs) if (r.id) ids.push(r.id);
    if (st.activeLock) {
      let k = 0;
      while (k < ids.length && ids[k] < st.activeLock) k++;
      ids.splice(k, 0, st.activeLock);
    }
    if (ids.length) s = ` refs=${ids.join(',')}`;
  }
  if (f.inCallback) s += ' cb';
  if (f.inAsyncCallback) s += ' async_cb';
  return s;
}

/** print_verifier_state(..., print_all=true) of frame f of state st, with its leading space. */
export function frameLogStr(st: VState, f: Frame, btf?: Btf): string {
  let s = f.frameno ? ` frame${f.frameno}:` : '';
  for (let i = 0; i < 11; i++) {
    const r = f.regs[i];
    if (r.type !== RegType.NOT_INIT) s += ` R${i}=${regStr(r, f.frameno)}`;
  }
  return s + stackLogStr(f, btf) + stateTailStr(st, f);
}

// The documented successors of deprecated helpers (knowledge/helpers.ts), with the condition under
// which each is the right choice. Successors keep the predecessor's signature, so a call can be
// renamed in place; choosing between a pair needs the author, so none is applied without review.
import { helperById, helperByName } from '../../knowledge/helpers';

export interface Successor {
  name: string;
  id: number;
  /** when this successor is the right one */
  when: string;
}

function whenFor(name: string): string {
  if (/_kernel(_str)?$/.test(name)) return 'the address is a kernel address';
  if (/_user(_str)?$/.test(name)) return 'the address is a user-space address';
  return 'its semantics fit';
}

export function successorsOf(helper: string): Successor[] {
  const info = helperByName(helper);
  if (!info?.deprecated) return [];
  const out: Successor[] = [];
  for (const name of info.deprecated.successors) {
    const s = helperByName(name);
    if (s) out.push({ name: s.name, id: s.id, when: whenFor(s.name) });
  }
  return out;
}

/** The helper ID of a libbpf helper name, undefined for other names. */
export function helperId(name: string): number | undefined {
  return name.startsWith('bpf_') ? helperByName(name)?.id : undefined;
}

export function helperName(id: number): string | undefined {
  return helperById(id)?.name;
}

export function deprecationReason(helper: string): string | undefined {
  return helperByName(helper)?.deprecated?.reason;
}

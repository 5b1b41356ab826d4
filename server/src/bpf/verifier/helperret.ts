// Helper results typed by the kernel's BTF (RET_PTR_TO_BTF_ID): the struct the pointer points to,
// so loads through it walk the struct's members like btf_struct_access does.
import { BtfKind } from '../btf/types';
import type { Btf } from '../loader/types';

/** The id of `struct name` in the target (kernel) BTF, or 0 when unknown. */
export function kernelStructId(targetBtf: Btf | undefined, name: string | undefined): number {
  if (!name || !targetBtf) return 0;
  return targetBtf.byName(name, BtfKind.STRUCT)?.id ?? 0;
}

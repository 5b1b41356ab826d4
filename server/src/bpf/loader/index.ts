// Public entry points of the object core: load an ELF object, map instructions to source, and
// the underlying readers.
//
// What comes back from loadObject(bytes, opts):
//   errors    conditions libbpf 1.x would refuse the object for (bad relocation, unknown extern,
//             static program outside .text, ambiguous CO-RE...). The object is still returned
//             when it can be built, so editors can show everything else.
//   object.notes     object-level facts worth telling the user (defaults applied, legacy maps,
//                    no target BTF...).
//   program.problems instruction-level loader findings (poisoned CO-RE relocation, unresolved
//                    kfunc or ksym, unknown section), by instruction index in program.insns.
// Readers never throw: hostile bytes give errors, and every loop is bounded by the input size.
export { loadObject, type LoadOptions, type LoadResult } from './load';
export { sourceForInsn, type SourcePos } from './source';
export { classifySection, SECTION_DEFS } from './sections';
export { parseBtf, Btf } from '../btf/btf';
export { parseBtfExt } from '../btf/ext';
export { readElf } from '../elf/elf';
export type { LoadedObject, LoadedProgram, MapDef, LineInfo, FuncInfo } from './types';

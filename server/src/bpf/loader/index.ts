// Public entry points of the object core: load an ELF object, map instructions to source, and
// the underlying readers.
export { loadObject, type LoadOptions, type LoadResult } from './load';
export { sourceForInsn, type SourcePos } from './source';
export { classifySection, SECTION_DEFS } from './sections';
export { parseBtf, Btf } from '../btf/btf';
export { parseBtfExt } from '../btf/ext';
export { readElf } from '../elf/elf';
export type { LoadedObject, LoadedProgram, MapDef, LineInfo, FuncInfo } from './types';

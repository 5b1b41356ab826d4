// Loads a file for debugging like `bpfls run` does, except that assembly gets line info, so
// breakpoints and steps work on .s lines too.
import path from 'node:path';
import { assemble, asmErrors } from '../bpf/asm/assembler';
import { withLineInfo } from '../bpf/asm/line-info';
import { writeElf } from '../bpf/asm/elf-writer';
import { loadObject } from '../bpf/loader';
import type { LoadedObject } from '../bpf/loader/types';
import { loadForRun } from '../cli/commands/run';
import { readSourceFile } from '../cli/command';

export async function loadForDebug(file: string): Promise<{ object?: LoadedObject; errors: string[]; located?: boolean }> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.s' || ext === '.asm') {
    let text: string;
    try { text = readSourceFile(file); } catch (e) { return { errors: [(e as Error).message], located: true }; }
    const r = assemble(text);
    if (!asmErrors(r).length) {
      const loaded = loadObject(writeElf(withLineInfo(r, path.resolve(file), text.split('\n')), { license: 'GPL' }).bytes);
      if (loaded.object && loaded.object.programs.length) return loaded;
    }
  }
  return loadForRun(file);
}

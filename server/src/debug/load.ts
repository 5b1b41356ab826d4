// Loads a file for debugging like `bpfls run` does, except that assembly gets line info, so
// breakpoints and steps work on .s lines too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble, asmErrors } from '../bpf/asm/assembler';
import { withLineInfo } from '../bpf/asm/line-info';
import { writeElf } from '../bpf/asm/elf-writer';
import { loadObject } from '../bpf/loader';
import type { LoadedObject } from '../bpf/loader/types';
import { loadForRun } from '../cli/commands/run';

export async function loadForDebug(file: string): Promise<{ object?: LoadedObject; errors: string[] }> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.s' || ext === '.asm') {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { return { errors: [`cannot read ${file}: ${(e as Error).message}`] }; }
    const r = assemble(text);
    if (!asmErrors(r).length) {
      const loaded = loadObject(writeElf(withLineInfo(r, path.resolve(file), text.split('\n')), { license: 'GPL' }).bytes);
      if (loaded.object && loaded.object.programs.length) return loaded;
    }
  }
  return loadForRun(file);
}

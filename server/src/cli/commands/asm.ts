import { writeFileSync } from 'node:fs';
import { Command, UsageError, describeFileError, parseArgs, readSourceFile } from '../command';
import { assemble, asmErrors } from '../../bpf/asm/assembler';
import { writeElf } from '../../bpf/asm/elf-writer';
import { printInsnLlvm } from '../../bpf/isa/print';
import { LD_IMM64 } from '../../bpf/isa/insn';

const usage = `usage: bpfls asm FILE.s [-o OUT.o] [options]

Assembles BPF assembly (LLVM syntax or GAS/uBPF syntax, detected per file) into a relocatable
ELF object that libbpf and bpftool load. Each .section holding instructions becomes a program
section; .globl labels become function symbols; calls to other functions and loads of maps or
globals become relocations. Without -o, prints the assembled instructions.

options:
  -o, --output OUT.o   write the object here
  --syntax llvm|gas    force a syntax instead of detecting it
  --license TEXT       add a "license" section with TEXT when the file has none (e.g. GPL)

exit: 0 assembled, 1 the text has errors (printed as FILE:LINE:COL: error: ...), 2 usage`;

const MAX_ERRORS_SHOWN = 50;

export const asm: Command = {
  name: 'asm',
  summary: 'assemble BPF assembly (LLVM or GAS syntax) into an ELF object',
  usage,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv.map((a) => (a === '-o' ? '--output' : a)), {
      strings: ['output', 'syntax', 'license'],
    });
    if (positionals.length !== 1) throw new UsageError('expected one assembly file');
    const syntax = flags.syntax as string | undefined;
    if (syntax !== undefined && syntax !== 'llvm' && syntax !== 'gas') throw new UsageError(`--syntax must be llvm or gas, not ${syntax}`);
    const file = positionals[0];
    const text = readSourceFile(file);
    const result = assemble(text, { syntax: syntax as 'llvm' | 'gas' | undefined });
    // like a compiler's error limit: the first ones say what is wrong, the count says how much
    for (const e of result.errors.slice(0, MAX_ERRORS_SHOWN)) {
      process.stderr.write(`${file}:${e.range.line + 1}:${e.range.start + 1}: ${e.severity}: ${e.message}\n`);
    }
    if (result.errors.length > MAX_ERRORS_SHOWN) process.stderr.write(`bpfls asm: ${result.errors.length - MAX_ERRORS_SHOWN} more errors not shown\n`);
    if (asmErrors(result).length) return 1;
    const out = flags.output as string | undefined;
    if (!out) {
      for (const s of result.sections) {
        if (s.kind !== 'code') continue;
        process.stdout.write(`${s.name}:\n`);
        for (let i = s.start; i < s.start + s.count; i++) {
          process.stdout.write(`${String(i - s.start).padStart(6)}: ${printInsnLlvm(result.insns, i)}\n`);
          if (result.insns[i].code === LD_IMM64) i++;
        }
      }
      return 0;
    }
    const elf = writeElf(result, { license: flags.license as string | undefined });
    for (const w of elf.warnings) process.stderr.write(`bpfls asm: warning: ${w}\n`);
    try {
      writeFileSync(out, elf.bytes);
    } catch (e) {
      process.stderr.write(`bpfls asm: cannot write ${out}: ${describeFileError(e)}\n`);
      return 2;
    }
    return 0;
  },
};

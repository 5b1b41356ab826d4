import path from 'node:path';
import { Command, UsageError, parseArgs, readInputFile } from '../command';
import { disassembleObject } from '../../bpf/disasm/listing';

const usage = `usage: bpfls disasm FILE.o [options]

Prints each program of a BPF ELF object in llvm-objdump's syntax, with the source lines of
.BTF.ext line_info interleaved (like llvm-objdump -d -S).

options:
  --no-source        do not interleave source lines
  -r, --relocs       print relocations under the instructions they patch
  --mcpu CPU         v1..v4: v3/v4 print w registers in 32-bit loads and stores, like
                     llvm-objdump --mcpu=v3 (default: like llvm-objdump's default CPU)
  --section NAME     only this section

exit: 0 printed, 1 the object has problems (printed on stderr), 2 usage or unreadable file`;

export const disasm: Command = {
  name: 'disasm',
  summary: 'disassemble a BPF object (llvm-objdump syntax, source interleaved)',
  usage,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv.map((a) => (a === '-r' ? '--relocs' : a)), {
      strings: ['mcpu', 'section'],
      booleans: ['no-source', 'relocs'],
    });
    if (positionals.length !== 1) throw new UsageError('expected one object file');
    const mcpu = (flags.mcpu as string | undefined) ?? 'v1';
    if (!/^(v[1-4]|generic|probe)$/.test(mcpu)) throw new UsageError(`unknown --mcpu ${mcpu} (v1, v2, v3, v4)`);
    const file = positionals[0];
    const bytes = readInputFile(file);
    const listing = disassembleObject(bytes, {
      source: !flags['no-source'],
      relocs: !!flags.relocs,
      alu32: mcpu === 'v3' || mcpu === 'v4',
      section: flags.section as string | undefined,
      fileName: path.basename(file),
    });
    process.stdout.write(listing.text);
    for (const e of listing.errors) process.stderr.write(`bpfls disasm: ${file}: ${e}\n`);
    if (listing.counts.size === 0 && listing.errors.length === 0) {
      process.stderr.write(`bpfls disasm: ${file}: no executable sections${flags.section ? ` named ${flags.section}` : ''}\n`);
      return 1;
    }
    return listing.errors.length ? 1 : 0;
  },
};

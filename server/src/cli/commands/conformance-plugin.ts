// `bpfls conformance-plugin [MEM_HEX]`: the plugin protocol of the bpf_conformance suite. The
// program arrives as hex bytes on standard input, the memory block as hex in the first argument;
// r0 is printed in hex. Errors go to standard error with exit status 1.
import { type Command, UsageError, parseArgs } from '../command';
import { parseHex, runConformanceProgram } from '../../bpf/emulator/conformance';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const conformancePlugin: Command = {
  name: 'conformance-plugin',
  summary: 'run one program for the BPF ISA conformance suite (program hex on stdin, memory hex as argument)',
  usage: [
    'usage: bpfls conformance-plugin [MEM_HEX] [--max-insns N]',
    '',
    'Reads a BPF program as hex bytes from standard input and runs it in the emulator with',
    'r1 = the memory block given as hex in MEM_HEX (r2 = its length). Prints r0 in hex.',
    'Unknown options after MEM_HEX are ignored, as the suite may pass its own.',
  ].join('\n'),
  async run(argv) {
    const known: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--max-insns') { known.push(argv[i], argv[i + 1] ?? ''); i++; } else if (!argv[i].startsWith('--')) known.push(argv[i]);
    }
    const { flags, positionals } = parseArgs(known, { integers: { 'max-insns': { min: 1, max: 1_000_000_000 } } });
    const memHex = positionals[0] ?? '';
    const mem = parseHex(memHex);
    if (!mem) throw new UsageError(`memory argument is not hex: ${memHex.slice(0, 40)}`);
    const max = (flags['max-insns'] as number | undefined) ?? 1_000_000;
    const code = parseHex(await readStdin());
    if (!code) { process.stderr.write('bpfls conformance-plugin: standard input is not a hex program\n'); return 1; }
    const r = runConformanceProgram(code, mem, max);
    if (r.error) { process.stderr.write(`bpfls conformance-plugin: ${r.error}\n`); return 1; }
    process.stdout.write(r.r0.toString(16) + '\n');
    return 0;
  },
};

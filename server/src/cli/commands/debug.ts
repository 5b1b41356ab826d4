// `bpfls debug-adapter`: a Debug Adapter Protocol server on stdin/stdout for the editor's debugger.
import { type Command, UsageError } from '../command';
import { DebugAdapter } from '../../debug/adapter';

export const debugAdapter: Command = {
  name: 'debug-adapter',
  summary: 'debug a program in the emulator over the Debug Adapter Protocol (stdio)',
  usage: [
    'usage: bpfls debug-adapter',
    '',
    'Speaks the Debug Adapter Protocol on stdin/stdout: launch {program, prog, dataIn, ctxIn, stopOnEntry},',
    'breakpoints on C and assembly lines and on instructions, stepping by line and by instruction.',
  ].join('\n'),
  async run(argv) {
    if (argv.length) throw new UsageError('bpfls debug-adapter takes no arguments');
    return new Promise<number>((resolve) => {
      const adapter = new DebugAdapter((s) => process.stdout.write(s), () => resolve(0));
      process.stdin.on('data', (c: Buffer) => adapter.receive(c));
      process.stdin.on('end', () => resolve(0));
    });
  },
};

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
      let reading = true;
      const stopReading = () => {
        if (!reading) return;
        reading = false;
        process.stdin.removeAllListeners('data');
        process.stdin.destroy();
      };
      // `disconnect` (answered already): stop reading so the process ends once pending answers
      // are written; a run left paused holds no handle, the timer is a last resort.
      const disconnected = () => {
        stopReading();
        setTimeout(() => process.exit(process.exitCode ?? 0), 5000).unref();
        process.stdout.write('', () => resolve(0));
      };
      // the client went away: nothing more will be asked; requests in flight still finish
      const inputEnded = () => { stopReading(); resolve(0); };
      const adapter = new DebugAdapter((s) => process.stdout.write(s), disconnected);
      process.stdin.on('data', (c: Buffer) => adapter.receive(c));
      process.stdin.on('end', inputEnded);
      process.stdin.on('close', inputEnded);
      process.stdin.on('error', inputEnded);
    });
  },
};

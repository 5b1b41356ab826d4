import { parseArgs, UsageError, type Command } from '../command';
import { startServer } from '../../server/start';

export const lsp: Command = {
  name: 'lsp',
  summary: 'run the language server (for editors)',
  usage: [
    'usage: bpfls lsp [--stdio | --node-ipc | --socket=PORT]',
    '',
    'Runs the bpfls language server. Editors start it; you rarely run it by hand.',
    '  --stdio        speak LSP over stdin/stdout (default)',
    '  --node-ipc     speak LSP over Node IPC (VS Code node-module transport)',
    '  --socket=PORT  connect to PORT on localhost',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, {
      booleans: ['stdio', 'node-ipc'],
      integers: { socket: { min: 1, max: 65535 }, clientProcessId: { min: 0, max: 2 ** 32 - 1 } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    // vscode-languageserver picks the transport from process.argv; default to stdio.
    if (!flags['node-ipc'] && !flags.socket && !process.argv.includes('--stdio')) process.argv.push('--stdio');
    const connection = startServer();
    await new Promise<void>((resolve) => connection.onExit(() => resolve()));
    return 0;
  },
};

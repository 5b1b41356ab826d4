import type { Command } from '../command';

export const lsp: Command = {
  name: 'lsp',
  summary: '(not built yet)',
  usage: 'usage: bpfls lsp ... (this command\'s engine is not built yet)',
  async run() {
    process.stderr.write("bpfls lsp: this command's engine is not built yet\n");
    return 2;
  },
};

import type { Command } from '../command';

export const disasm: Command = {
  name: 'disasm',
  summary: '(not built yet)',
  usage: 'usage: bpfls disasm ... (this command\'s engine is not built yet)',
  async run() {
    process.stderr.write("bpfls disasm: this command's engine is not built yet\n");
    return 2;
  },
};

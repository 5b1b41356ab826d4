import type { Command } from '../command';

export const asm: Command = {
  name: 'asm',
  summary: '(not built yet)',
  usage: 'usage: bpfls asm ... (this command\'s engine is not built yet)',
  async run() {
    process.stderr.write("bpfls asm: this command's engine is not built yet\n");
    return 2;
  },
};

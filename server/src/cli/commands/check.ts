import type { Command } from '../command';

export const check: Command = {
  name: 'check',
  summary: '(not built yet)',
  usage: 'usage: bpfls check ... (this command\'s engine is not built yet)',
  async run() {
    process.stderr.write("bpfls check: this command's engine is not built yet\n");
    return 2;
  },
};

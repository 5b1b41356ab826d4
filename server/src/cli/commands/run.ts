import type { Command } from '../command';

export const run: Command = {
  name: 'run',
  summary: '(not built yet)',
  usage: 'usage: bpfls run ... (this command\'s engine is not built yet)',
  async run() {
    process.stderr.write("bpfls run: this command's engine is not built yet\n");
    return 2;
  },
};

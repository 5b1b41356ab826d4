import type { Command } from '../command';

export const verify: Command = {
  name: 'verify',
  summary: '(not built yet)',
  usage: 'usage: bpfls verify ... (this command\'s engine is not built yet)',
  async run() {
    process.stderr.write("bpfls verify: this command's engine is not built yet\n");
    return 2;
  },
};

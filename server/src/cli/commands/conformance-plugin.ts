import type { Command } from '../command';

export const conformancePlugin: Command = {
  name: 'conformance-plugin',
  summary: '(not built yet)',
  usage: 'usage: bpfls conformance-plugin ... (this command\'s engine is not built yet)',
  async run() {
    process.stderr.write("bpfls conformance-plugin: this command's engine is not built yet\n");
    return 2;
  },
};

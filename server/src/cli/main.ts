// bpfls command-line entry point: dispatches to one subcommand per file under commands/.
import { Command, InputError, UsageError } from './command';
import { commands } from './commands';

function topUsage(): string {
  const lines = ['usage: bpfls <command> [options]', '', 'commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(20)} ${c.summary}`);
  lines.push('', "Run 'bpfls <command> --help' for a command's options.");
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topUsage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write('bpfls 0.1.0\n');
    return 0;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`bpfls: unknown command '${name}'\n\n${topUsage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bpfls ${cmd.name}: ${e.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`bpfls ${cmd.name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`bpfls ${cmd.name}: internal error: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

// `bpfls ... | head`: a closed stdout ends the run quietly instead of an unhandled EPIPE
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`bpfls: ${e}\n`); process.exitCode = 2; },
);

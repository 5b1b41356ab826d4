// The contract of one CLI subcommand. Each subcommand lives in commands/<name>.ts.
export interface Command {
  name: string;
  summary: string;
  /** Full --help text. */
  usage: string;
  /** Returns the exit code: 0 clean, 1 findings, 2 usage or environment errors. */
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

/** Minimal flag parser: --flag value, --flag=value, boolean flags, and positionals. */
export function parseArgs(
  argv: string[],
  spec: { strings?: string[]; booleans?: string[]; multi?: string[] },
): { flags: Record<string, string | boolean | string[]>; positionals: string[] } {
  const strings = new Set(spec.strings ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const multi = new Set(spec.multi ?? []);
  const flags: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-') && a !== '-') {
      let name = a.replace(/^--?/, '');
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
      if (booleans.has(name)) { flags[name] = true; continue; }
      if (strings.has(name) || multi.has(name)) {
        if (value === undefined) {
          if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
          value = argv[++i];
        }
        if (multi.has(name)) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
        else flags[name] = value;
        continue;
      }
      throw new UsageError(`unknown option ${a}`);
    }
    positionals.push(a);
  }
  return { flags, positionals };
}

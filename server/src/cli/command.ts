// The contract of one CLI subcommand. Each subcommand lives in commands/<name>.ts.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface Command {
  name: string;
  summary: string;
  /** Full --help text. */
  usage: string;
  /** Returns the exit code: 0 clean, 1 findings, 2 usage or environment errors. */
  run(argv: string[]): Promise<number>;
}

/** Bad usage: main prints "bpfls CMD: message", then the command's usage; exit 2. */
export class UsageError extends Error {}

/** An input the command cannot use (missing file, directory...): main prints "bpfls CMD: message"; exit 2. */
export class InputError extends Error {}

/** A numeric option: an integer (decimal, or hex with 0x) in [min, max]. */
export interface IntegerOption { min: number; max: number }

export type FlagValue = string | boolean | string[] | number;

const INTEGER = /^[-+]?(0x[0-9a-f]+|\d+)$/i;

/** The integer of `--name text`, or a UsageError saying which values are allowed. */
export function parseIntegerOption(name: string, text: string, range: IntegerOption): number {
  const want = range.max >= Number.MAX_SAFE_INTEGER ? `an integer >= ${range.min}` : `an integer from ${range.min} to ${range.max}`;
  const t = text.trim();
  if (!INTEGER.test(t)) throw new UsageError(`--${name} needs ${want}, got '${text.slice(0, 40)}'`);
  const neg = t.startsWith('-');
  const digits = t.replace(/^[-+]/, '');
  const n = (neg ? -1 : 1) * (/^0x/i.test(digits) ? parseInt(digits.slice(2), 16) : parseInt(digits, 10));
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) throw new UsageError(`--${name} needs ${want}, got '${text.slice(0, 40)}'`);
  return n;
}

/**
 * Minimal flag parser: --flag value, --flag=value, boolean flags, and positionals. Flags named in
 * `integers` are validated here (a usage error names the flag and its range) and come back as numbers.
 */
export function parseArgs(
  argv: string[],
  spec: { strings?: string[]; booleans?: string[]; multi?: string[]; integers?: Record<string, IntegerOption> },
): { flags: Record<string, FlagValue>; positionals: string[] } {
  const strings = new Set(spec.strings ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const multi = new Set(spec.multi ?? []);
  const integers = new Map(Object.entries(spec.integers ?? {}));
  const flags: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-') && a !== '-') {
      let name = a.replace(/^--?/, '');
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
      if (booleans.has(name)) {
        if (value !== undefined) throw new UsageError(`option --${name} takes no value`);
        flags[name] = true;
        continue;
      }
      if (strings.has(name) || multi.has(name) || integers.has(name)) {
        if (value === undefined) {
          if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
          value = argv[++i];
        }
        const range = integers.get(name);
        if (range) flags[name] = parseIntegerOption(name, value, range);
        else if (multi.has(name)) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
        else flags[name] = value;
        continue;
      }
      throw new UsageError(`unknown option ${a}`);
    }
    positionals.push(a);
  }
  return { flags, positionals };
}

/** Inputs larger than this are refused before reading (a device like /dev/zero never ends). */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;

/** Why a file cannot be read, in words: "no such file", "is a directory", "permission denied"... */
export function describeFileError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'ELOOP': return 'too many symbolic links';
    case 'ENAMETOOLONG': return 'file name too long';
    case 'EMFILE': case 'ENFILE': return 'too many open files';
    case 'ENOSPC': return 'no space left on device';
    default: return (err?.message ?? String(e)).replace(/^E[A-Z]+: /, '').replace(/, (open|read|write|close|stat|lstat)( '.*')?$/, '');
  }
}

/**
 * Reads a whole input file, or throws an InputError "cannot read FILE: <reason>" (what: "data_in
 * file" and such names the input). Directories are refused; devices and pipes are read up to
 * `maxBytes`, so /dev/zero ends with "larger than ...".
 */
export function readInputFile(file: string, opts: { what?: string; maxBytes?: number } = {}): Buffer {
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  const label = `cannot read ${opts.what ? opts.what + ' ' : ''}${file}`;
  const tooBig = () => new InputError(`${label}: larger than ${Math.round(max / (1024 * 1024))} MB`);
  let fd: number;
  try { fd = openSync(file, 'r'); } catch (e) { throw new InputError(`${label}: ${describeFileError(e)}`); }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`${label}: is a directory`);
    if (st.isFile() && st.size > max) throw tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(st.isFile() ? Math.max(1, Math.min(st.size - total + 1, max + 1 - total)) : 1 << 20);
      let n: number;
      try { n = readSync(fd, chunk, 0, chunk.length, null); } catch (e) { throw new InputError(`${label}: ${describeFileError(e)}`); }
      if (n === 0) break;
      total += n;
      if (total > max) throw tooBig();
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a C or assembly source as UTF-8 text, refusing what is not: an ELF object (a common slip:
 * `bpfls check prog.o`), UTF-16 text, or binary data (NUL bytes in the first 8000, git's test).
 * Compilers report such input an error per byte, slowly.
 */
export function readSourceFile(file: string): string {
  const bytes = readInputFile(file);
  const head = bytes.subarray(0, 8000);
  const label = `cannot read ${file} as source`;
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    throw new InputError(`${label}: it is an ELF object (for objects use bpfls verify, run or disasm)`);
  }
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    throw new InputError(`${label}: it is UTF-16 text; save it as UTF-8 (iconv -f UTF-16 -t UTF-8)`);
  }
  if (head.includes(0)) throw new InputError(`${label}: it is binary (NUL bytes), not C or assembly text`);
  return bytes.toString('utf8');
}

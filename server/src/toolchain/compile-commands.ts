// Flags from a compile_commands.json near the file (a build's own -I/-D/-std), so bpfls compiles
// the file the way the project does.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CompileCommandFlags {
  /** The database the flags came from. */
  database: string;
  /** The entry's working directory (relative -I paths are resolved against it). */
  directory: string;
  flags: string[];
}

interface Entry {
  directory: string;
  file: string;
  arguments?: string[];
  command?: string;
}

const cache = new Map<string, { mtimeMs: number; entries: Entry[] }>();

/** Splits a shell-quoted command line (the `command` form of an entry). */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (c === "'" || c === '"') {
      const end = cmd.indexOf(c, i + 1);
      const stop = end < 0 ? cmd.length : end;
      let s = cmd.slice(i + 1, stop);
      if (c === '"') s = s.replace(/\\(["\\$`])/g, '$1');
      cur += s;
      has = true;
      i = stop;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

function load(db: string): Entry[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(db);
  } catch {
    return [];
  }
  const hit = cache.get(db);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.entries;
  let entries: Entry[] = [];
  try {
    const parsed = JSON.parse(fs.readFileSync(db, 'utf8')) as unknown;
    if (Array.isArray(parsed)) {
      entries = parsed.filter((e): e is Entry => !!e && typeof e.directory === 'string' && typeof e.file === 'string');
    }
  } catch {
    entries = [];
  }
  cache.set(db, { mtimeMs: st.mtimeMs, entries });
  return entries;
}

/** Options that take a separate value we must drop with it. */
const DROP_WITH_VALUE = new Set(['-o', '-MF', '-MT', '-MQ', '-target', '--target', '-arch', '-x']);
const DROP = /^(-c|-S|-E|-M|-MM|-MD|-MMD|-MG|-MP|-g.*|-O.*|--target=.*|-target=.*|-o.+|-fcolor-diagnostics|-fdiagnostics-color.*|-Werror.*|-emit-llvm|-pipe)$/;
/** Flags whose value is the next argument (kept with it). */
const WITH_VALUE = new Set(['-I', '-D', '-U', '-include', '-isystem', '-idirafter', '-iquote']);
/**
 * What an untrusted workspace may pass to clang: flags that change how the source is read and
 * checked, nothing that loads code or writes a file (`-MD -MF ~/.bashrc`, `-Wp,-MD,FILE`,
 * `-fcrash-diagnostics-dir`, `-gsplit-dwarf`, `-fsave-optimization-record`...). An allowlist: a
 * clang flag nobody thought of stays out.
 */
const UNTRUSTED_OK = new RegExp('^(?:' + [
  '-[IDU].+', '-include.+', '-isystem.+', '-idirafter.+', '-iquote.+', '-std=[\\w+]+', '-nostdinc(?:\\+\\+)?', '-nostdlibinc',
  '-w', '-W(?!p,|l,|a,|[a-z]+,)(?:no-)?[\\w=+-]+', '-pedantic(?:-errors)?', '-O[0-3sz]?', '-g(?:[0-3]|dwarf(?:-[45])?)?', '-m(?!llvm)[\\w=.+-]+',
  '-f(?!.*(?:plugin|profile|record|dir|path|file|trace|usage|dump|save|crash|module|embed|instrument|coverage|sanitize|xray|stats|report))(?:no-)?[\\w=.+-]+',
].join('|') + ')$');

/** Splits flags into those an untrusted workspace may pass and those dropped. */
export function untrustedFlags(flags: readonly string[]): { kept: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (WITH_VALUE.has(f) && i + 1 < flags.length) {
      kept.push(f, flags[++i]);
      continue;
    }
    (UNTRUSTED_OK.test(f) ? kept : dropped).push(f);
  }
  return { kept, dropped };
}

/** Keeps the flags that change how the source is read (-I, -D, -U, -include, -std, -W, -f...). */
export function usefulFlags(args: string[], file: string): string[] {
  const out: string[] = [];
  const base = path.basename(file);
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (DROP_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (DROP.test(a)) continue;
    if (!a.startsWith('-') && (a === file || path.basename(a) === base)) continue;
    if (!a.startsWith('-')) {
      // A value of the previous flag (e.g. -I dir, -include f) stays; stray inputs are dropped.
      const prev = out[out.length - 1];
      if (prev && /^(-I|-isystem|-iquote|-idirafter|-include|-imacros|-D|-U)$/.test(prev)) out.push(a);
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Makes relative include paths absolute against the entry's directory. */
function absolutize(flags: string[], dir: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    const m = /^(-I|-isystem|-iquote|-idirafter|-include|-imacros)(.*)$/.exec(f);
    if (m && m[2]) out.push(m[1] + path.resolve(dir, m[2]));
    else if (m && i + 1 < flags.length) {
      out.push(f, path.resolve(dir, flags[++i]));
    } else out.push(f);
  }
  return out;
}

/**
 * Looks for compile_commands.json in the file's directory and its ancestors (also in their
 * build/ subdirectory) up to `stopAt`, and returns the flags of the entry for `file`.
 */
export function flagsFromCompileCommands(file: string, stopAt?: string): CompileCommandFlags | undefined {
  const abs = path.resolve(file);
  let dir = path.dirname(abs);
  for (let depth = 0; depth < 12; depth++) {
    for (const db of [path.join(dir, 'compile_commands.json'), path.join(dir, 'build', 'compile_commands.json')]) {
      const entries = load(db);
      const e = entries.find((x) => path.resolve(x.directory, x.file) === abs);
      if (e) {
        const args = e.arguments ?? (e.command ? splitCommand(e.command) : []);
        return { database: db, directory: e.directory, flags: absolutize(usefulFlags(args, e.file), e.directory) };
      }
    }
    if (stopAt && path.resolve(dir) === path.resolve(stopAt)) break;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

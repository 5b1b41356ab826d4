// The annotated corpus (test/corpus/*.c): reading annotations from the source, compiling with
// clang, and the committed cache of the kernel's verdicts (test/corpus/kernel-verdicts.json).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, type KernelVerdict } from './oracle';

export const corpusDir = join(repoRoot, 'test/corpus');
export const kernelCachePath = join(corpusDir, 'kernel-verdicts.json');

export interface Annotation {
  prog: string;
  section: string;
  expect?: 'success' | 'failure';
  msgs: string[];
  retval?: number;
  description?: string;
  /** 1-based line of the SEC() in the source */
  line: number;
}

export function listCorpusFiles(): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(corpusDir);
  } catch {
    return [];
  }
  return names.filter((f) => f.endsWith('.c')).sort().map((f) => join(corpusDir, f));
}

function unquote(s: string): string {
  return s.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * Annotations sit between `SEC("...")` and the function's name, as in the kernel selftests.
 * A string literal may hold any character, so the scan strips literals before looking for the name.
 */
export function parseAnnotations(src: string): Annotation[] {
  const out: Annotation[] = [];
  const secRe = /^SEC\("([^"]*)"\)/gm;
  let m: RegExpExecArray | null;
  while ((m = secRe.exec(src))) {
    const start = m.index + m[0].length;
    const brace = src.indexOf('{', start);
    const semi = src.indexOf(';', start);
    if (brace < 0 || (semi >= 0 && semi < brace)) continue; // a SEC'd variable (license, maps)
    const head = src.slice(start, brace);
    const a: Annotation = { prog: '', section: m[1], msgs: [], line: src.slice(0, m.index).split('\n').length };
    const annRe = /__(success|failure|msg|retval|description)\b(?:\(\s*("(?:[^"\\]|\\.)*"|[^)]*)\s*\))?/g;
    let am: RegExpExecArray | null;
    while ((am = annRe.exec(head))) {
      const arg = am[2]?.startsWith('"') ? unquote(am[2].slice(1, -1)) : am[2];
      if (am[1] === 'success' || am[1] === 'failure') a.expect = am[1];
      else if (am[1] === 'msg' && arg !== undefined) a.msgs.push(arg);
      else if (am[1] === 'retval' && arg !== undefined) a.retval = Number(arg);
      else if (am[1] === 'description' && arg !== undefined) a.description = arg;
    }
    const noStrings = head.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const names = [...noStrings.matchAll(/([A-Za-z_]\w*)\s*\(/g)].map((x) => x[1]).filter((n) => !n.startsWith('__'));
    a.prog = names[0] ?? '';
    if (a.prog) out.push(a);
  }
  return out;
}

/** Extra clang flags a corpus file asks for, in a comment line `// corpus-cflags: -mcpu=v4`. */
export function corpusCflags(src: string): string[] {
  const m = /corpus-cflags:\s*(.*)$/m.exec(src);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

export const CLANG = process.env.BPFLS_CLANG ?? 'clang-19';

export function clangAvailable(): { ok: boolean; version: string; reason?: string } {
  const r = spawnSync(CLANG, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { ok: false, version: '', reason: `${CLANG} not found: corpus programs cannot be compiled` };
  return { ok: true, version: r.stdout.split('\n')[0] };
}

export interface CompiledFile {
  file: string; // basename, e.g. "cfg.c"
  objPath?: string;
  objSha256?: string;
  error?: string;
}

export function buildDir(): string {
  const dir = join(tmpdir(), `bpfls-corpus-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function compileCorpusFile(path: string, outDir: string): CompiledFile {
  const file = basename(path);
  const src = readFileSync(path, 'utf8');
  const objPath = join(outDir, file.replace(/\.c$/, '.o'));
  const args = ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', `-I${corpusDir}`,
    ...corpusCflags(src), '-c', path, '-o', objPath];
  const r = spawnSync(CLANG, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) return { file, error: (r.error?.message ?? r.stderr).split('\n').slice(0, 8).join('\n') };
  const bytes = readFileSync(objPath);
  return { file, objPath, objSha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The cached kernel verdicts: valid for an object only while its sha256 matches. */
export interface KernelCache {
  kernel: string;
  clang: string;
  files: Record<string, { objSha256: string; programs: Record<string, CachedVerdict> }>;
}

/** Timing is left out: it changes on every run and the bench measures it live. */
export type CachedVerdict = Pick<KernelVerdict, 'ok' | 'skip' | 'errno' | 'error_line' | 'processed' | 'retval'>;

export function readKernelCache(): KernelCache {
  if (!existsSync(kernelCachePath)) return { kernel: '', clang: '', files: {} };
  try {
    return JSON.parse(readFileSync(kernelCachePath, 'utf8')) as KernelCache;
  } catch {
    return { kernel: '', clang: '', files: {} };
  }
}

export function writeKernelCache(cache: KernelCache): void {
  const files: KernelCache['files'] = {};
  for (const k of Object.keys(cache.files).sort()) files[k] = cache.files[k];
  writeFileSync(kernelCachePath, JSON.stringify({ ...cache, files }, null, 1) + '\n');
}

export function toCached(v: KernelVerdict): CachedVerdict {
  const c: CachedVerdict = { ok: v.ok };
  if (v.skip) c.skip = v.skip;
  if (v.errno) c.errno = v.errno;
  if (v.ok === false) c.error_line = v.error_line ?? '';
  if (v.processed !== undefined) c.processed = v.processed;
  if (v.retval !== undefined) c.retval = v.retval;
  return c;
}

/** How an annotation disagrees with the kernel's verdict (empty when it agrees). */
export function annotationMismatch(a: Annotation, k: CachedVerdict): string[] {
  const out: string[] = [];
  if (k.ok === null) return out;
  if (!a.expect) out.push('no __success/__failure annotation');
  else if ((a.expect === 'success') !== k.ok) out.push(`annotated __${a.expect}, kernel ${k.ok ? 'accepts' : `rejects: ${k.error_line}`}`);
  if (k.ok === false) {
    for (const msg of a.msgs) if (!(k.error_line ?? '').includes(msg)) out.push(`__msg("${msg}") not in kernel's line "${k.error_line}"`);
  }
  if (k.ok && a.retval !== undefined && k.retval !== undefined && (a.retval >>> 0) !== k.retval) {
    out.push(`__retval(${a.retval}) but the kernel's run returned ${k.retval | 0}`);
  }
  return out;
}

function cString(s: string): string {
  return JSON.stringify(s);
}

/** Rewrites one program's annotation block to the kernel's verdict, keeping __description. */
export function fixAnnotation(src: string, a: Annotation, k: CachedVerdict): string {
  const lines = src.split('\n');
  const secLine = a.line - 1;
  let offset = 0;
  for (let i = 0; i < secLine; i++) offset += lines[i].length + 1;
  const secEnd = src.indexOf(')', offset) + 1;
  const nameAt = src.indexOf(a.prog + '(', secEnd);
  if (secEnd <= 0 || nameAt < 0) return src;
  let head = src.slice(secEnd, nameAt);
  head = head.replace(/__(success|failure)\b\s*/g, '').replace(/__(msg|retval)\(\s*("(?:[^"\\]|\\.)*"|[^)]*)\s*\)\s*/g, '');
  let verdict = k.ok ? '__success' : `__failure __msg(${cString(k.error_line ?? '')})`;
  if (k.ok && k.retval !== undefined && a.retval !== undefined) verdict += ` __retval(${k.retval | 0})`;
  const sep = head.startsWith('\n') ? '\n' : ' ';
  return src.slice(0, secEnd) + sep + verdict + (head.startsWith('\n') ? '' : ' ') + head.replace(/^ /, '') + src.slice(nameAt);
}

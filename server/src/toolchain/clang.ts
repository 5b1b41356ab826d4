// Finding the user's clang and checking it can target BPF.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const INSTALL_HINT = 'install clang-19 (apt-get install clang-19) or set BPFLS_CLANG';

export interface ClangInfo {
  path: string;
  /** Major version, 0 when unknown. */
  major: number;
  versionLine: string;
  /** Where the path came from. */
  origin: 'BPFLS_CLANG' | 'setting' | 'PATH';
}

export type ClangLookup = { ok: true; clang: ClangInfo } | { ok: false; message: string };

export interface ClangQuery {
  /** bpfls.clangPath; ignored unless `trusted` (Workspace Trust). */
  settingPath?: string;
  trusted: boolean;
  env?: NodeJS.ProcessEnv;
}

const CANDIDATES = ['clang-19', 'clang-18', 'clang-17', 'clang-16', 'clang-15', 'clang-14', 'clang'];

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Resolves a bare command name on PATH; paths with a slash pass through when executable. */
export function resolveExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? path.resolve(name) : undefined;
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const probes = new Map<string, Promise<{ ok: boolean; major: number; versionLine: string; why: string }>>();

/** Runs `clang --version` and `clang -print-targets` once per path; `why` completes "<path> ...". */
function probe(p: string) {
  let r = probes.get(p);
  if (!r) {
    r = (async () => {
      const v = await run(p, ['--version']);
      if (v.code !== 0) return { ok: false, major: 0, versionLine: '', why: `fails to run --version (${firstLine(v.stderr).slice(0, 120) || `exit ${v.code}`})` };
      const versionLine = firstLine(v.stdout);
      // anything that answers --version (ls, echo, gcc) is not a compiler bpfls can drive
      if (!/\bclang version \d/i.test(v.stdout)) return { ok: false, major: 0, versionLine, why: `is not clang (its --version says '${versionLine.slice(0, 80)}')` };
      const major = Number(/version (\d+)/.exec(versionLine)?.[1] ?? 0);
      const t = await run(p, ['-print-targets']);
      if (t.code === 0 && !/^\s*bpf\b/m.test(t.stdout)) {
        return { ok: false, major, versionLine, why: `has no BPF target (${versionLine})` };
      }
      return { ok: true, major, versionLine, why: '' };
    })();
    probes.set(p, r);
  }
  return r;
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0].trim();
}

/** What to do about a bad explicit clang, by where it came from. */
function fixHint(origin: ClangInfo['origin']): string {
  return origin === 'setting'
    ? 'set bpfls.clangPath to a clang with the BPF target (e.g. /usr/bin/clang-19), or clear it to search PATH'
    : `${INSTALL_HINT} to a clang with the BPF target (or unset it to search PATH)`;
}

/**
 * Finds clang in this order: $BPFLS_CLANG, the bpfls.clangPath setting (trusted workspaces only),
 * then clang-19 ... clang-14 and clang on PATH. The first that exists and targets BPF wins. A bad
 * explicit choice is an error naming the variable or setting to fix (no silent fallback to PATH).
 */
export async function findClang(q: ClangQuery): Promise<ClangLookup> {
  const env = q.env ?? process.env;
  const tried: string[] = [];
  const explicit: [string, ClangInfo['origin']][] = [];
  if (env.BPFLS_CLANG) explicit.push([env.BPFLS_CLANG, 'BPFLS_CLANG']);
  if (q.settingPath && q.trusted) explicit.push([q.settingPath, 'setting']);
  for (const [name, origin] of explicit) {
    const from = origin === 'setting' ? 'bpfls.clangPath' : 'BPFLS_CLANG';
    const p = resolveExecutable(name, env);
    if (!p) {
      let what = 'is not on PATH';
      if (name.includes('/')) {
        try { what = fs.statSync(name).isDirectory() ? 'is a directory' : 'is not an executable file'; } catch { what = 'does not exist'; }
      }
      return { ok: false, message: `${from} '${name}' ${what}: ${fixHint(origin)}` };
    }
    const r = await probe(p);
    if (!r.ok) return { ok: false, message: `${from} '${name}' ${r.why}: ${fixHint(origin)}` };
    return { ok: true, clang: { path: p, major: r.major, versionLine: r.versionLine, origin } };
  }
  for (const name of CANDIDATES) {
    const p = resolveExecutable(name, env);
    if (!p) continue;
    const r = await probe(p);
    if (r.ok) return { ok: true, clang: { path: p, major: r.major, versionLine: r.versionLine, origin: 'PATH' } };
    tried.push(`${p} ${r.why}`);
  }
  const why = tried.length ? ` (${tried.join('; ')})` : '';
  return { ok: false, message: `clang with a BPF target not found${why}: ${INSTALL_HINT}` };
}

/** Forgets cached probes (tests, or after the user installs clang). */
export function resetClangCache(): void {
  probes.clear();
}

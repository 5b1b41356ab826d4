// Helpers for the editor end-to-end tests: a private HOME / XDG / TMPDIR per test process, and
// child processes run in their own process group that is always killed when they end or time out
// (so an editor's language server never outlives its test).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

export interface Sandbox {
  dir: string;
  /** A scratch directory for the files an editor opens (copies: fixes edit them). */
  work: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir || '.', cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch { /* next */ }
  }
  return undefined;
}

/** The reason the language server cannot produce compile/verifier diagnostics here, if any. */
export function missingServerPrerequisite(): string | undefined {
  if (!fs.existsSync(path.join(repoRoot, 'dist/bpfls.js'))) return 'dist/bpfls.js is missing (run npm run build)';
  if (!which('clang-19') && !which('clang')) return 'clang is not installed (verifier diagnostics need a compile)';
  return undefined;
}

export function makeSandbox(name: string): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bpfls-e2e-${name}-`));
  const sub = (p: string) => { const d = path.join(dir, p); fs.mkdirSync(d, { recursive: true }); return d; };
  const home = sub('home');
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.join(repoRoot, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    USER: process.env.USER ?? 'root',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    XDG_CONFIG_HOME: sub('xdg/config'),
    XDG_CACHE_HOME: sub('xdg/cache'),
    XDG_DATA_HOME: sub('xdg/data'),
    XDG_STATE_HOME: sub('xdg/state'),
    XDG_RUNTIME_DIR: sub('xdg/runtime'),
    TMPDIR: sub('tmp'),
  };
  fs.chmodSync(env.XDG_RUNTIME_DIR!, 0o700);
  return { dir, work: sub('work'), env, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult { code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean; ms: number }

/** Runs a command in a new process group; kills the whole group when it exits or times out. */
export function runGroup(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b) => { if (stdout.length < 1 << 20) stdout += b; });
    child.stderr.on('data', (b) => { if (stderr.length < 1 << 20) stderr += b; });
    const killGroup = () => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
    const timer = setTimeout(() => { timedOut = true; killGroup(); }, opts.timeoutMs);
    child.on('error', (e) => { stderr += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // the language server the editor started, if it is still there
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - t0 });
    });
  });
}

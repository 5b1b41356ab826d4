// The C corpus for the assembler/disassembler differential tests: the repository's C programs,
// the hand-written fixtures and generated programs, at -mcpu=v1..v4 (and -O1/-O2 for generated).
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateProgram } from './gen-c';

export interface Job { src: string; cpu: string; opt: string; out: string }

export function findC(dir: string, out: string[], depth = 0): string[] {
  if (depth > 6) return out;
  let entries: string[] = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const p = path.join(dir, e);
    let st;
    try { st = statSync(p); } catch { continue; }
    if (st.isDirectory()) findC(p, out, depth + 1);
    else if (e.endsWith('.c') && !e.endsWith('.test.c')) out.push(p);
  }
  return out;
}

export function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    p.on('error', () => resolve({ code: 1, stdout, stderr }));
  });
}

export async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) { const i = next++; out[i] = await f(items[i]); }
  }));
  return out;
}

/** Every (source, cpu, opt) combination; generated sources are written into dir. */
export function corpusJobs(repoRoot: string, dir: string, nGenerated: number, ext = '.o'): Job[] {
  const sources: string[] = [];
  sources.push(...findC(path.join(repoRoot, 'examples'), []), ...findC(path.join(repoRoot, 'test'), []));
  sources.push(...findC(path.join(__dirname, 'fixtures'), []));
  for (let s = 1; s <= nGenerated; s++) {
    const p = path.join(dir, `gen${s}.bpf.c`);
    writeFileSync(p, generateProgram(s * 7919, { atomics: true }));
    sources.push(p);
  }
  const jobs: Job[] = [];
  sources.forEach((src, i) => {
    const gen = src.startsWith(dir);
    for (const cpu of ['v1', 'v2', 'v3', 'v4']) {
      for (const opt of gen ? ['-O1', '-O2'] : ['-O2']) {
        jobs.push({ src, cpu, opt, out: path.join(dir, `${i}-${cpu}${opt}${ext}`) });
      }
    }
  });
  return jobs;
}

export function clangArgs(j: Job, mode: '-c' | '-S', out = j.out): string[] {
  return ['-target', 'bpf', j.opt, '-g', '-w', `-mcpu=${j.cpu}`, '-I/usr/include/x86_64-linux-gnu', '-I', path.dirname(j.src), mode, j.src, '-o', out];
}

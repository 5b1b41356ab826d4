// Runs the differential comparison on the corpus and on generated programs; shared by the tests,
// the report script and the bench.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { bpflsLoad, bpflsVerifier, bpflsVerify, VERIFY_BUDGET_MS } from './bpfls';
import { computeFigures, type Figures, type Pair } from './compare';
import { generateMix } from './generators';
import {
  buildDir, clangAvailable, compileCorpusFile, listCorpusFiles, parseAnnotations, readKernelCache, toCached,
  type Annotation, type CachedVerdict,
} from './corpus';
import { fromLoaded, generate, mutate, Rng, toLoadedObject, toRawSpec, type GenProgram } from './gen';
import { kernelVerifyObject, kernelVerifyRaw, oracle, repoRoot } from './oracle';

export interface CorpusProgram {
  file: string;
  ann: Annotation;
  kernel?: CachedVerdict;
  /** where the kernel verdict came from */
  source: 'cache' | 'kernel' | 'none';
  objPath?: string;
}

export interface CorpusRun {
  programs: CorpusProgram[];
  notes: string[];
  dir: string;
  objects: Map<string, string>; // file -> .o path
}

/**
 * Compiles every corpus file and attaches the kernel's verdicts: from the committed cache while the
 * object's hash matches it, else from the running kernel when loading is permitted.
 * Call cleanup() on the result's dir when done.
 */
export function collectCorpus(opts: { live?: boolean } = {}): CorpusRun {
  const notes: string[] = [];
  const clang = clangAvailable();
  const dir = buildDir();
  const cache = readKernelCache();
  const programs: CorpusProgram[] = [];
  const objects = new Map<string, string>();
  if (!clang.ok) {
    notes.push(clang.reason!);
    return { programs, notes, dir, objects };
  }
  let stale = 0;
  for (const path of listCorpusFiles()) {
    const file = basename(path);
    const anns = parseAnnotations(readFileSync(path, 'utf8'));
    const c = compileCorpusFile(path, dir);
    if (!c.objPath) {
      notes.push(`${file} does not compile: ${c.error}`);
      continue;
    }
    objects.set(file, c.objPath);
    let verdicts: Record<string, CachedVerdict> | undefined;
    let source: CorpusProgram['source'] = 'none';
    const cached = cache.files[file];
    if (cached && cached.objSha256 === c.objSha256 && !opts.live) {
      verdicts = cached.programs;
      source = 'cache';
    } else {
      if (cached) stale++;
      const o = oracle();
      if (o.ok) {
        const r = kernelVerifyObject(c.objPath);
        if (r.error) notes.push(`${file}: ${r.error}`);
        verdicts = Object.fromEntries(r.verdicts.map((v) => [v.prog ?? '', toCached(v)]));
        source = 'kernel';
      } else if (cached) {
        // a different clang built different bytes; the verdicts of the committed objects still describe the programs
        verdicts = cached.programs;
        source = 'cache';
        notes.push(`${file}: object differs from the cached one and the kernel is not available; using the cached verdicts`);
      }
    }
    for (const ann of anns) programs.push({ file, ann, kernel: verdicts?.[ann.prog], source, objPath: c.objPath });
  }
  if (stale) notes.push(`${stale} corpus objects differ from the kernel verdict cache (refresh: node --import tsx server/test/diff/corpus-cli.ts --update-cache)`);
  return { programs, notes, dir, objects };
}

export function cleanup(run: { dir: string }): void {
  rmSync(run.dir, { recursive: true, force: true });
}

/** Compares bpfls with the kernel on the corpus. */
export async function diffCorpus(run: CorpusRun, pairs: Pair[] = []): Promise<{ figures: Figures; notes: string[] }> {
  const notes: string[] = [];
  const verify = await bpflsVerifier();
  const loaded = new Map<string, Awaited<ReturnType<typeof bpflsLoad>>>();
  for (const p of run.programs) {
    const pair: Pair = { id: `${p.file}:${p.ann.prog}`, kernel: { ok: p.kernel?.ok ?? null, error_line: p.kernel?.error_line } };
    pairs.push(pair);
    if (!verify || !p.kernel || p.kernel.ok === null || !p.objPath) continue;
    if (!loaded.has(p.file)) loaded.set(p.file, await bpflsLoad(readFileSync(p.objPath)));
    const l = loaded.get(p.file)!;
    if (!l.obj) continue;
    const prog = l.obj.programs.find((x) => x.name === p.ann.prog);
    if (!prog) continue;
    pair.bpfls = await bpflsVerify(verify, l.obj, prog);
  }
  if (!verify) notes.push('bpfls verifier (verifyProgram) not present');
  const loadErr = [...loaded.values()].find((l) => l.error)?.error;
  if (verify && loadErr) notes.push(`loader: ${loadErr}`);
  return { figures: computeFigures('corpus', pairs, !!verify), notes };
}

const genCachePath = join(repoRoot, 'server/test/diff/kernel-gen-cache.json');

function specHash(p: GenProgram): string {
  return createHash('sha256').update(JSON.stringify(toRawSpec(p))).digest('hex').slice(0, 16);
}

type GenCache = Record<string, { hash: string; ok: boolean | null; error_line?: string | null; processed?: number }>;

function readGenCache(): GenCache {
  if (!existsSync(genCachePath)) return {};
  try {
    return JSON.parse(readFileSync(genCachePath, 'utf8')) as GenCache;
  } catch {
    return {};
  }
}

export interface GenRun {
  programs: GenProgram[];
  kernel: Map<string, { ok: boolean | null; error_line?: string | null; processed?: number; verification_time_usec?: number }>;
  notes: string[];
}

/**
 * Kernel verdicts for generated programs: live when loading is permitted, else from the committed
 * cache (entries whose program hash no longer matches are dropped). updateCache rewrites the cache.
 */
export function kernelForGenerated(programs: GenProgram[], opts: { updateCache?: boolean; useCache?: boolean } = {}): GenRun {
  const notes: string[] = [];
  const kernel: GenRun['kernel'] = new Map();
  const o = oracle();
  if (o.ok) {
    const r = kernelVerifyRaw(programs.map(toRawSpec));
    if (r.error) notes.push(r.error);
    for (const [k, v] of r.verdicts) {
      if (v.spec_error) notes.push(`${k}: spec error ${v.spec_error}`);
      else kernel.set(k, { ok: v.ok, error_line: v.error_line, processed: v.processed, verification_time_usec: v.verification_time_usec });
    }
    if (opts.updateCache) {
      const cache: GenCache = {};
      for (const p of programs) {
        const v = kernel.get(p.name);
        if (v) cache[p.name] = { hash: specHash(p), ok: v.ok, ...(v.ok === false ? { error_line: v.error_line } : {}), processed: v.processed };
      }
      writeFileSync(genCachePath, JSON.stringify(cache) + '\n');
    }
  } else if (opts.useCache !== false) {
    notes.push(`${o.reason}; using the committed kernel verdicts of generated programs`);
    const cache = readGenCache();
    let stale = 0;
    for (const p of programs) {
      const c = cache[p.name];
      if (c && c.hash === specHash(p)) kernel.set(p.name, c);
      else stale++;
    }
    if (stale) notes.push(`${stale} generated programs have no valid cached kernel verdict (generator changed?)`);
  } else {
    notes.push(o.reason);
  }
  return { programs, kernel, notes };
}

/**
 * bpfls's time budget for a program the kernel processed `processed` instructions of: the default
 * budget, or with `scaled`, 20 us per kernel-processed instruction (a program that runs into the
 * 1M-instruction limit gets 20 s), at most 30 s. The long run scales it, so programs that are only
 * slow are judged instead of counted as misses; the quick set keeps the default (short test).
 */
export function verifyBudget(processed: number | undefined, scaled: boolean): number {
  if (!scaled) return VERIFY_BUDGET_MS;
  return Math.min(30_000, Math.max(VERIFY_BUDGET_MS, (processed ?? 0) * 0.02));
}

export async function diffGenerated(set: string, run: GenRun, pairs: Pair[] = [], opts: { scaledBudget?: boolean } = {}): Promise<{ figures: Figures; notes: string[] }> {
  const verify = await bpflsVerifier();
  for (const p of run.programs) {
    const k = run.kernel.get(p.name);
    const pair: Pair = { id: p.name, origin: p.origin, kernel: { ok: k?.ok ?? null, error_line: k?.error_line } };
    pairs.push(pair);
    if (!verify || !k || k.ok === null) continue;
    const { obj, prog } = toLoadedObject(p);
    pair.bpfls = await bpflsVerify(verify, obj, prog, verifyBudget(k.processed, !!opts.scaledBudget));
    if (process.env.BPFLS_PROGRESS && pairs.length % 1000 === 0) process.stderr.write(`diff[${set}]: ${pairs.length}/${run.programs.length}\n`);
  }
  return { figures: computeFigures(set, pairs, !!verify), notes: verify ? [] : ['bpfls verifier (verifyProgram) not present'] };
}

/** The default quick generated set: fixed seed, committed kernel verdicts. */
export const QUICK_SEED = 20261126;
export const QUICK_COUNT = 400;

/** the focused generators' share of the quick set (generators.ts) */
export const QUICK_MIX_COUNT = 300;

export function quickGenerated(): GenProgram[] {
  return [...generate(QUICK_SEED, QUICK_COUNT), ...generateMix(QUICK_SEED, QUICK_MIX_COUNT)];
}

/**
 * Figures per generator (the origin's first word: random, alu, mem, branch, call, corpus), mutants
 * apart: programs, kernel accepts, verdict agreement, unsound.
 */
export function perGenerator(pairs: Pair[]): string[] {
  const by = new Map<string, { n: number; judged: number; acc: number; agree: number; unsound: number }>();
  for (const p of pairs) {
    const o = p.origin ?? '';
    const kind = o.startsWith('mutant of') ? (o.includes('.c:') ? 'corpus mutant' : 'random mutant') : o.includes('mutant') ? `${o.split(' ')[0]} mutant` : o.split(' ')[0] || '?';
    const e = by.get(kind) ?? { n: 0, judged: 0, acc: 0, agree: 0, unsound: 0 };
    e.n++;
    if (p.kernel.ok !== null) e.judged++;
    if (p.kernel.ok) e.acc++;
    if (p.bpfls && !p.bpfls.crashed && p.bpfls.ok === p.kernel.ok) e.agree++;
    if (p.bpfls?.ok && p.kernel.ok === false) e.unsound++;
    by.set(kind, e);
  }
  return [...by].sort((a, b) => a[0].localeCompare(b[0])).map(([k, e]) =>
    `  ${k.padEnd(16)} ${String(e.n).padStart(6)} programs, kernel accepts ${e.acc}/${e.judged}, agreement ${e.judged ? ((100 * e.agree) / e.judged).toFixed(1) : '-'}%, unsound ${e.unsound}`);
}

/** Mutations of corpus programs (needs the bpfls loader to relocate the objects). */
export async function corpusMutants(run: CorpusRun, perProgram: number, seed: number): Promise<GenProgram[]> {
  const rng = new Rng(seed);
  const out: GenProgram[] = [];
  for (const [file, objPath] of run.objects) {
    const l = await bpflsLoad(readFileSync(objPath));
    if (!l.obj) continue;
    for (const prog of l.obj.programs) {
      const base = fromLoaded(l.obj, prog, `${file}:${prog.name}`);
      for (let i = 0; i < perProgram; i++) out.push(mutate(base, rng, `m_${file}_${prog.name}_${i}`));
    }
  }
  return out;
}

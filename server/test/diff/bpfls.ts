// The bpfls side of the differential harness: finds the verifier (verifyProgram) and the loader
// (loadObject) when they exist, and normalises their answers. While either is missing the harness
// reports the bpfls side as absent (0% agreement), never a made-up verdict.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedObject, LoadedProgram } from '../../src/bpf/loader/types';
import { repoRoot } from './oracle';
import { runningKernelLoadOptions, runningKernelVerifyOptions } from '../../src/toolchain/running-kernel';

export interface BpflsVerdict {
  ok: boolean;
  message: string | null;
  insn?: number;
  processed?: number;
  timeMs: number;
  /** the verifier threw: a bug in bpfls, counted as a disagreement */
  crashed?: string;
}

type VerifyFn = (obj: LoadedObject, prog: LoadedProgram, opts?: object) => unknown;
type LoadFn = (bytes: Uint8Array, opts?: object) => unknown;

const srcDir = join(repoRoot, 'server/src/bpf');
/** the running kernel's BTF, for kfuncs and CO-RE (the kernel verdicts come from this kernel) */
const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';
/** per-program time budget: a verifier that runs longer is reported, not waited for */
export const VERIFY_BUDGET_MS = Number(process.env.BPFLS_VERIFY_BUDGET_MS ?? 3000);

async function findExport<T>(candidates: string[], name: string): Promise<T | undefined> {
  for (const rel of candidates) {
    const path = join(srcDir, rel);
    if (!existsSync(path)) continue;
    try {
      const mod = (await import(path)) as Record<string, unknown>;
      if (typeof mod[name] === 'function') return mod[name] as T;
    } catch {
      /* a module that fails to import counts as absent */
    }
  }
  return undefined;
}

let verifyFn: VerifyFn | null | undefined;
let loadFn: LoadFn | null | undefined;

export async function bpflsVerifier(): Promise<VerifyFn | undefined> {
  if (verifyFn === undefined) {
    verifyFn = (await findExport<VerifyFn>(['verifier/index.ts', 'verifier/verifier.ts', 'verifier/verify.ts'], 'verifyProgram')) ?? null;
  }
  return verifyFn ?? undefined;
}

export async function bpflsLoader(): Promise<LoadFn | undefined> {
  if (loadFn === undefined) {
    loadFn = (await findExport<LoadFn>(['loader/index.ts', 'loader/loader.ts', 'loader/load.ts'], 'loadObject')) ?? null;
  }
  return loadFn ?? undefined;
}

function pickObject(r: unknown): LoadedObject | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const o = r as Record<string, unknown>;
  if (Array.isArray(o.programs)) return o as unknown as LoadedObject;
  for (const k of ['object', 'obj', 'result', 'value']) {
    const inner = o[k] as Record<string, unknown> | undefined;
    if (inner && Array.isArray(inner.programs)) return inner as unknown as LoadedObject;
  }
  return undefined;
}

/** Loads an ELF object with the bpfls loader; undefined when the loader is missing or fails. */
export async function bpflsLoad(bytes: Uint8Array): Promise<{ obj?: LoadedObject; error?: string }> {
  const load = await bpflsLoader();
  if (!load) return { error: 'bpfls loader (loadObject) not present' };
  try {
    const targetBtf = existsSync(VMLINUX_BTF) ? new Uint8Array(readFileSync(VMLINUX_BTF)) : undefined;
    const obj = pickObject(await load(bytes, targetBtf ? { targetBtf, ...runningKernelLoadOptions() } : {}));
    return obj ? { obj } : { error: 'loadObject returned no programs' };
  } catch (e) {
    return { error: `loadObject threw: ${(e as Error).message}` };
  }
}

/** Runs the bpfls verifier on one program and reads its answer, whatever its exact shape. */
export async function bpflsVerify(verify: VerifyFn, obj: LoadedObject, prog: LoadedProgram, budgetMs = VERIFY_BUDGET_MS): Promise<BpflsVerdict> {
  const t0 = performance.now();
  try {
    const r = (await verify(obj, prog, { timeBudgetMs: budgetMs, ...(existsSync(VMLINUX_BTF) ? runningKernelVerifyOptions() : {}) })) as Record<string, unknown> | undefined;
    const timeMs = performance.now() - t0;
    const notes = Array.isArray(r?.notes) ? (r.notes as unknown[]).map(String) : [];
    if (r?.ok === false && r.error == null) {
      return { ok: false, message: null, timeMs, crashed: `no verdict: ${notes.join('; ') || 'cancelled'}` };
    }
    const err = (r?.error ?? null) as Record<string, unknown> | string | null;
    const ok = typeof r?.ok === 'boolean' ? r.ok : err == null;
    const message = typeof err === 'string' ? err : typeof err?.message === 'string' ? err.message : typeof r?.message === 'string' ? r.message : null;
    const insn = typeof err === 'object' && err && typeof err.insn === 'number' ? err.insn : undefined;
    const processed = typeof r?.processed === 'number' ? r.processed : typeof r?.insnProcessed === 'number' ? r.insnProcessed : undefined;
    return { ok, message: ok ? null : message, insn, processed, timeMs };
  } catch (e) {
    return { ok: false, message: null, timeMs: performance.now() - t0, crashed: String((e as Error)?.stack ?? e).split('\n').slice(0, 3).join(' | ') };
  }
}

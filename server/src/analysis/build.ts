// The object stage shared by the server and `bpfls check`: compile BPF C with clang, or hand
// other languages to a registered ObjectBuilder (the assembler for bpf-asm).
import * as path from 'node:path';
import { objectBuilders, type DocumentContext } from './registry';
import type { CancellationToken, Finding } from './types';
import { findClang } from '../toolchain/clang';
import { compile, compileOptionsFor } from '../toolchain/compile';

export interface BuildResult {
  status: 'ok' | 'errors' | 'skipped' | 'no-clang' | 'cancelled' | 'timeout' | 'failed';
  elf?: Uint8Array;
  findings: Finding[];
  /** Why nothing was built ('skipped', 'no-clang', 'failed'): for logs and the CLI. */
  message?: string;
  /** The path the object's debug info names the source by. */
  sourcePath: string;
  command?: string[];
  durationMs: number;
}

export interface BuildOptions {
  /** Absolute path of the document (need not exist on disk). */
  filePath: string;
  workspaceRoot?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  log?: (m: string) => void;
}

export function tokenFor(signal?: AbortSignal): CancellationToken {
  return { get isCancellationRequested() { return signal?.aborted ?? false; } };
}

/** C headers are not compiled on their own: they rarely stand alone. */
export function isHeader(filePath: string): boolean {
  return /\.h$/i.test(filePath);
}

export async function buildObject(ctx: DocumentContext, o: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now();
  const base = { sourcePath: o.filePath, findings: [] as Finding[] };
  const elapsed = () => performance.now() - t0;
  if (ctx.doc.languageId !== 'c') {
    const b = objectBuilders.find((x) => x.languages.includes(ctx.doc.languageId));
    if (!b) return { ...base, status: 'skipped', message: `no object builder for ${ctx.doc.languageId}`, durationMs: elapsed() };
    try {
      const r = await b.build(ctx, tokenFor(o.signal));
      if (o.signal?.aborted) return { ...base, status: 'cancelled', durationMs: elapsed() };
      const hasError = r.findings.some((f) => f.severity === 'error');
      return { ...base, status: r.elf && !hasError ? 'ok' : 'errors', elf: r.elf, findings: r.findings, durationMs: elapsed() };
    } catch (e) {
      return { ...base, status: 'failed', message: `${b.id} failed: ${(e as Error).message}`, durationMs: elapsed() };
    }
  }
  if (!ctx.settings.analyses.compile) return { ...base, status: 'skipped', message: 'bpfls.analyses.compile is off', durationMs: elapsed() };
  if (isHeader(o.filePath)) return { ...base, status: 'skipped', message: 'headers are not compiled on their own', durationMs: elapsed() };
  const found = await findClang({ settingPath: ctx.settings.clangPath, trusted: ctx.settings.trusted });
  if (!found.ok) return { ...base, status: 'no-clang', message: found.message, durationMs: elapsed() };
  const options = compileOptionsFor(o.filePath, ctx.settings, o.workspaceRoot);
  for (const n of options.notes) o.log?.(`${path.basename(o.filePath)}: ${n}`);
  const r = await compile({ clang: found.clang, text: ctx.doc.text, file: o.filePath, options, signal: o.signal, timeoutMs: o.timeoutMs });
  return {
    ...base,
    status: r.status,
    elf: r.elf,
    findings: r.findings,
    command: r.command,
    durationMs: r.durationMs,
    ...(r.status === 'failed' ? { message: r.stderr } : {}),
  };
}

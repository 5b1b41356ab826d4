// Agreement figures between the kernel and bpfls, and the regression baseline.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BpflsVerdict } from './bpfls';
import { repoRoot } from './oracle';

export interface Pair {
  id: string; // "file.c:prog" or a generated name
  kernel: { ok: boolean | null; error_line?: string | null };
  bpfls?: BpflsVerdict;
  origin?: string;
}

export interface Figures {
  set: string;
  programs: number;
  /** programs the kernel could judge (not skipped) */
  judged: number;
  /** programs bpfls judged too */
  compared: number;
  agree: number;
  agreementPct: number;
  /** bpfls accepts, the kernel rejects: bugs to fix first */
  unsound: Pair[];
  /** bpfls rejects, the kernel accepts */
  overStrict: number;
  sharedRejections: number;
  sameMessage: number;
  messagePct: number;
  crashes: number;
  /** programs bpfls gave no verdict for within its time budget (counted as misses above) */
  timeouts: number;
  /** agreement over the programs bpfls finished: the regression gate, so a slower machine does not fail it */
  finishedAgreementPct: number;
  bpflsPresent: boolean;
}

export function normaliseMessage(s: string | null | undefined): string {
  return (s ?? '').trim();
}

export function computeFigures(set: string, pairs: Pair[], bpflsPresent: boolean): Figures {
  const judged = pairs.filter((p) => p.kernel.ok !== null);
  const compared = judged.filter((p) => p.bpfls);
  let agree = 0;
  let overStrict = 0;
  let shared = 0;
  let same = 0;
  let crashes = 0;
  let timeouts = 0;
  const unsound: Pair[] = [];
  for (const p of compared) {
    const b = p.bpfls!;
    if (b.crashed?.includes('time budget')) timeouts++;
    else if (b.crashed) crashes++;
    if (b.ok === p.kernel.ok && !b.crashed) agree++;
    if (b.ok && p.kernel.ok === false) unsound.push(p);
    if (!b.ok && p.kernel.ok) overStrict++;
    if (!b.ok && p.kernel.ok === false) {
      shared++;
      if (normaliseMessage(b.message) === normaliseMessage(p.kernel.error_line)) same++;
    }
  }
  // Agreement is over every program the kernel judged: a program bpfls could not judge counts as a miss.
  const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : 0);
  return {
    set, programs: pairs.length, judged: judged.length, compared: compared.length, agree,
    agreementPct: pct(agree, judged.length), unsound, overStrict, sharedRejections: shared, sameMessage: same,
    messagePct: pct(same, shared), crashes, timeouts, finishedAgreementPct: pct(agree, judged.length - timeouts), bpflsPresent,
  };
}

export function summaryLine(f: Figures): string {
  const side = f.bpflsPresent ? '' : ' [bpfls verifier not present: bpfls side skipped]';
  return `diff[${f.set}]: ${f.programs} programs, ${f.judged} judged by the kernel, ${f.compared} by bpfls; ` +
    `verdict agreement ${f.agreementPct}% (${f.agree}/${f.judged}); bpfls-accepts-kernel-rejects ${f.unsound.length}; ` +
    `bpfls-rejects-kernel-accepts ${f.overStrict}; identical final message ${f.messagePct}% (${f.sameMessage}/${f.sharedRejections}) of shared rejections; ` +
    `crashes ${f.crashes}; over time budget ${f.timeouts}${side}`;
}

/** One committed file per set, so the corpus and generated tests (run concurrently) never race. */
export function baselinePath(set: string): string {
  return join(repoRoot, `server/test/diff/baseline/${set}.json`);
}

export interface BaselineEntry {
  agreementPct: number;
  finishedAgreementPct: number;
  messagePct: number;
  unsound: number;
}

export function readBaseline(set: string): BaselineEntry | undefined {
  const path = baselinePath(set);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BaselineEntry;
  } catch {
    return undefined;
  }
}

/** With BPFLS_UPDATE_BASELINE=1 the test records the current figures as the new floor. */
export function updateBaseline(f: Figures): void {
  const entry: BaselineEntry = { agreementPct: f.agreementPct, finishedAgreementPct: f.finishedAgreementPct, messagePct: f.messagePct, unsound: f.unsound.length };
  mkdirSync(dirname(baselinePath(f.set)), { recursive: true });
  writeFileSync(baselinePath(f.set), JSON.stringify(entry, null, 2) + '\n');
}

/**
 * Regressions against the committed baseline (a 0.5-point tolerance absorbs rounding). Agreement is
 * gated over the programs bpfls finished in its time budget, so a slower machine does not fail it.
 */
export function regressions(f: Figures): string[] {
  const b = readBaseline(f.set);
  if (!b) return [];
  const out: string[] = [];
  if (f.finishedAgreementPct < (b.finishedAgreementPct ?? b.agreementPct) - 0.5) {
    out.push(`verdict agreement (programs finished in time) fell from ${b.finishedAgreementPct}% to ${f.finishedAgreementPct}%`);
  }
  if (f.messagePct < b.messagePct - 0.5) out.push(`identical-message rate fell from ${b.messagePct}% to ${f.messagePct}%`);
  if (f.unsound.length > b.unsound) out.push(`programs accepted by bpfls but rejected by the kernel rose from ${b.unsound} to ${f.unsound.length}`);
  return out;
}

/** Unsound results grouped by the kernel's message (numbers folded), with a few examples each. */
export function describeUnsound(f: Figures, max = 20): string {
  const groups = new Map<string, Pair[]>();
  for (const p of f.unsound) {
    const key = (p.kernel.error_line ?? '').replace(/-?\d+/g, 'N');
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: string[] = [];
  for (const [msg, ps] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    out.push(`  ${ps.length} x kernel "${msg}", bpfls accepts:`);
    for (const p of ps.slice(0, Math.max(1, Math.floor(max / groups.size)))) {
      out.push(`      ${p.id}${p.origin ? ` (${p.origin})` : ''}: "${p.kernel.error_line}"`);
    }
  }
  return out.join('\n');
}

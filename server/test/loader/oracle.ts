// Helpers for the differential test against libbpf: build test/oracle/libbpf-dump.c, run it on an
// object, and compare its final instructions and line_info with our loader's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadObject, sourceForInsn } from '../../src/bpf/loader/index';
import type { Btf } from '../../src/bpf/btf/btf';

export const repoRoot = resolve(__dirname, '../../..');

export interface OracleProg { prog: string; sec: string; insns: number[][]; lines: [number, string, number, number][] }
export interface OracleOut { maps: { map: number; name: string; fd: number }[]; progs: OracleProg[]; loadError?: number; error?: string }

/** Builds the dump helper; returns its path or the reason it cannot be built. */
export function buildDumper(): { path?: string; why?: string } {
  const src = join(repoRoot, 'test/oracle/libbpf-dump.c');
  if (!existsSync('/usr/include/bpf/libbpf.h')) return { why: 'libbpf-dev headers are not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'bpfls-oracle-'));
  const out = join(dir, 'libbpf-dump');
  const r = spawnSync('cc', ['-O1', '-o', out, src, '-lbpf', '-lelf', '-lz', '-ldl'], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `cannot build libbpf-dump: ${(r.stderr || r.error?.message || '').slice(0, 300)}` };
  return { path: out };
}

export function findClang(): string | undefined {
  for (const c of ['clang-19', 'clang']) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return c;
  }
  return undefined;
}

export function compile(clang: string, src: string, out: string, extra: string[] = []): string | undefined {
  // a later -O in extra overrides -O2
  const r = spawnSync(clang, ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', ...extra, '-c', src, '-o', out], { encoding: 'utf8' });
  return r.status === 0 ? undefined : r.stderr.slice(0, 500);
}

export function runDumper(dumper: string, obj: string): OracleOut {
  const r = spawnSync(dumper, [obj], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 60_000 });
  const out: OracleOut = { maps: [], progs: [] };
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.trim()) continue;
    const j = JSON.parse(line);
    if ('map' in j) out.maps.push(j);
    else if ('prog' in j) out.progs.push(j);
    else if ('loadError' in j) out.loadError = j.loadError;
    else if ('error' in j) out.error = j.error;
  }
  if (r.status !== 0 && !out.error) out.error = `libbpf-dump exited ${r.status}: ${(r.stderr ?? '').slice(0, 300)}`;
  return out;
}

let kallsyms: Map<string, bigint> | undefined;
/** /proc/kallsyms as libbpf reads it for typeless ksyms (first address per name). */
export function readKallsyms(): Map<string, bigint> {
  if (kallsyms) return kallsyms;
  kallsyms = new Map();
  let text = '';
  try { text = readFileSync('/proc/kallsyms', 'utf8'); } catch { return kallsyms; }
  for (const line of text.split('\n')) {
    const [addr, , name] = line.split(/\s+/);
    if (name && !name.includes('[') && !kallsyms.has(name)) kallsyms.set(name, BigInt(`0x${addr}`));
  }
  return kallsyms;
}

/** Compares one object; returns mismatch descriptions (empty when equal). */
export function compareObject(objPath: string, oracle: OracleOut, targetBtf: Btf | undefined): { mismatches: string[]; progs: number; lines: number } {
  const res = loadObject(readFileSync(objPath), { targetBtf, kallsyms: readKallsyms() });
  const mismatches: string[] = [];
  if (!res.object) return { mismatches: [`our loader failed: ${res.errors.join('; ')}`], progs: 0, lines: 0 };
  const fdToIdx = new Map(oracle.maps.map((m) => [m.fd, m.map]));
  if (oracle.maps.length !== res.object.maps.length) {
    mismatches.push(`map count: libbpf ${oracle.maps.length} (${oracle.maps.map((m) => m.name)}), ours ${res.object.maps.length} (${res.object.maps.map((m) => m.name)})`);
  }
  let lines = 0;
  for (const op of oracle.progs) {
    const ours = res.object.programs.find((p) => p.name === op.prog);
    if (!ours) { mismatches.push(`program ${op.prog}: missing in ours`); continue; }
    const theirs = op.insns.map((x) => x.slice());
    for (let i = 0; i < theirs.length; i++) {
      const [code, , src] = theirs[i];
      if (code === 0x18 && (src === 1 || src === 2)) {
        theirs[i][2] = src === 1 ? 5 : 6;
        theirs[i][4] = fdToIdx.get(theirs[i][4]) ?? -1000;
        i++;
      }
    }
    const mine = ours.insns.map((x) => [x.code, x.dst, x.src, x.off, x.imm]);
    if (mine.length !== theirs.length) mismatches.push(`program ${op.prog}: ${mine.length} insns, libbpf ${theirs.length}`);
    const n = Math.min(mine.length, theirs.length);
    for (let i = 0; i < n; i++) {
      if (mine[i].join() !== theirs[i].join()) {
        mismatches.push(`program ${op.prog}: insn ${i}: ours [${mine[i]}] libbpf [${theirs[i]}]`);
        break;
      }
    }
    const ml = ours.lineInfo.map((l) => `${l.insnOff}:${l.fileName}:${l.line}:${l.col}`);
    const tl = op.lines.map((l) => `${l[0]}:${l[1]}:${l[2]}:${l[3]}`);
    lines += tl.length;
    // every instruction maps to the same file:line (nearest preceding line_info, as the kernel does)
    for (let i = 0; i < ours.insns.length; i++) {
      const mine = sourceForInsn(ours, i);
      let best: [number, string, number, number] | undefined;
      for (const l of op.lines) if (l[0] <= i && (!best || l[0] >= best[0])) best = l;
      const a = mine ? `${mine.fileName}:${mine.line}` : '-';
      const b = best ? `${best[1]}:${best[2]}` : '-';
      if (a !== b) { mismatches.push(`program ${op.prog}: insn ${i} maps to ${a}, libbpf line_info says ${b}`); break; }
    }
    if (ml.join('|') !== tl.join('|')) {
      const k = ml.findIndex((x, i) => x !== tl[i]);
      mismatches.push(`program ${op.prog}: line_info differs (ours ${ml.length}, libbpf ${tl.length}; first at ${k}: ${ml[k]} vs ${tl[k]})`);
    }
  }
  return { mismatches, progs: oracle.progs.length, lines };
}

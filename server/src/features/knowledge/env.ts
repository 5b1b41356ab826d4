// Where the knowledge features get what is not compiled into bpfls: helper documentation from the
// user's installed headers (the include path the compile uses), and the target kernel's kfuncs from
// its BTF. Both are read lazily, cached by path and modification time, and never fatal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BpflsSettings } from '../../analysis/settings';
import { parseHelperDocs, type HelperDoc } from '../../knowledge/helperdocs';
import { kfuncsFromBtf, type KfuncProto } from '../../knowledge/kfuncs';
import { parseBtf } from '../../bpf/btf/btf';
import { knownKfuncNames } from '../../knowledge/kfuncs';
import { addInterestingCallNames } from './scan';

addInterestingCallNames(knownKfuncNames());

const MULTIARCH: Record<string, string> = {
  x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf', ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu', riscv64: 'riscv64-linux-gnu', loong64: 'loongarch64-linux-gnu', mips64el: 'mips64el-linux-gnuabi64',
};

/** The include directories a compile with these settings searches, in order (-I, extra paths, then system). */
export function includeDirs(settings: BpflsSettings): string[] {
  const dirs: string[] = [];
  const flags = settings.extraFlags;
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if ((f === '-I' || f === '-isystem' || f === '-idirafter') && flags[i + 1]) dirs.push(flags[++i]);
    else if (f.startsWith('-I') && f.length > 2) dirs.push(f.slice(2));
    else if (f.startsWith('-isystem') && f.length > 8) dirs.push(f.slice(8));
  }
  dirs.push(...settings.extraIncludePaths);
  if (!flags.includes('-nostdinc')) {
    dirs.push('/usr/local/include');
    const ma = MULTIARCH[process.arch];
    if (ma) dirs.push(`/usr/include/${ma}`);
    dirs.push('/usr/include');
  }
  return dirs;
}

export interface DocSource {
  file: string;
  form: string;
}

export interface HelperDocsResult {
  docs: Map<string, HelperDoc & { source: string }>;
  sources: DocSource[];
  /** the files that were looked for, for "docs would come from ..." */
  searched: string[];
}

interface CachedFile<T> {
  mtimeMs: number;
  size: number;
  value: T;
}
const docFileCache = new Map<string, CachedFile<ReturnType<typeof parseHelperDocs>>>();

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st : undefined;
  } catch {
    return undefined;
  }
}

function parsedHeader(file: string): ReturnType<typeof parseHelperDocs> | undefined {
  const st = statOrUndefined(file);
  if (!st) return undefined;
  const hit = docFileCache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const value = parseHelperDocs(text);
  docFileCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, value });
  return value;
}

let docsMemo: { key: string; at: number; result: HelperDocsResult } | undefined;
/** Re-stat the headers at most this often (hover must answer from memory). */
const RESTAT_MS = 5000;

/**
 * Helper docs from the first bpf/bpf_helper_defs.h and the first linux/bpf.h on the include path;
 * libbpf's text wins where both document a helper.
 */
export function helperDocs(settings: BpflsSettings): HelperDocsResult {
  const dirs = includeDirs(settings);
  const key = dirs.join('\0');
  const now = Date.now();
  if (docsMemo && docsMemo.key === key && now - docsMemo.at < RESTAT_MS) return docsMemo.result;
  const searched: string[] = [];
  const sources: DocSource[] = [];
  const docs = new Map<string, HelperDoc & { source: string }>();
  for (const rel of ['bpf/bpf_helper_defs.h', 'linux/bpf.h']) {
    for (const d of dirs) {
      const file = path.join(d, rel);
      searched.push(file);
      const parsed = parsedHeader(file);
      if (!parsed) continue;
      if (parsed.docs.size) {
        sources.push({ file, form: parsed.form });
        for (const [name, doc] of parsed.docs) if (!docs.has(name)) docs.set(name, { ...doc, source: file });
      }
      break;
    }
  }
  const result = { docs, sources, searched };
  docsMemo = { key, at: now, result };
  return result;
}

export interface TargetKfuncs {
  /** the BTF file read */
  file: string;
  kfuncs?: Map<string, KfuncProto>;
  /** why no kfuncs could be read */
  error?: string;
}

const btfCache = new Map<string, CachedFile<TargetKfuncs> & { modules: string }>();

export function targetBtfPath(settings: BpflsSettings): string {
  return settings.targetBtf || '/sys/kernel/btf/vmlinux';
}

let btfMemo: { file: string; at: number; result: TargetKfuncs } | undefined;

/** The kfuncs of the target kernel's BTF (settings.targetBtf, default /sys/kernel/btf/vmlinux). */
export function targetKfuncs(settings: BpflsSettings): TargetKfuncs {
  const file = targetBtfPath(settings);
  const now = Date.now();
  if (btfMemo && btfMemo.file === file && now - btfMemo.at < RESTAT_MS) return btfMemo.result;
  const st = statOrUndefined(file);
  let result: TargetKfuncs;
  if (!st) result = { file, error: `cannot read ${file}` };
  else {
    // The running kernel's modules add kfuncs of their own (nf_conntrack, tcp congestion
    // controls...): with the default target, their split BTF is read too.
    const modules = settings.targetBtf ? [] : moduleBtfFiles(path.dirname(file));
    const key = modules.map((m) => `${m.file}:${m.mtimeMs}:${m.size}`).join('|');
    const hit = btfCache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size && hit.modules === key) result = hit.value;
    else {
      result = readTargetKfuncs(file, modules.map((m) => m.file));
      btfCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, modules: key, value: result });
    }
  }
  btfMemo = { file, at: now, result };
  return result;
}

function moduleBtfFiles(dir: string): { file: string; mtimeMs: number; size: number }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: { file: string; mtimeMs: number; size: number }[] = [];
  for (const n of names.sort()) {
    if (n === 'vmlinux') continue;
    const st = statOrUndefined(path.join(dir, n));
    if (st) out.push({ file: path.join(dir, n), mtimeMs: st.mtimeMs, size: st.size });
  }
  return out;
}

function readTargetKfuncs(file: string, modules: string[]): TargetKfuncs {
  try {
    const parsed = parseBtf(new Uint8Array(fs.readFileSync(file)));
    if (!parsed.btf) return { file, error: parsed.errors.join('; ') || 'not BTF' };
    const kfuncs = new Map(kfuncsFromBtf(parsed.btf).map((k) => [k.name, k]));
    for (const m of modules) {
      try {
        const split = parseBtf(new Uint8Array(fs.readFileSync(m)), parsed.btf);
        if (split.btf) for (const k of kfuncsFromBtf(split.btf)) if (!kfuncs.has(k.name)) kfuncs.set(k.name, k);
      } catch {
        // An unreadable module BTF only hides that module's kfuncs.
      }
    }
    addInterestingCallNames(kfuncs.keys());
    return { file, kfuncs };
  } catch (e) {
    return { file, error: (e as Error).message };
  }
}

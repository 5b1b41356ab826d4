// libbpf's bpf_helper_defs.h as installed: where, which version, and whether it declares the
// helpers `* const` (libbpf >= 1.4), which decides whether -O0 builds that use it get callx.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface LibbpfHeader {
  dir: string;
  version?: string;
  /** whether bpf_helper_defs.h declares the helpers `* const` (libbpf >= 1.4) */
  isConst: boolean;
}

const CACHE_MS = 30_000;
const cache = new Map<string, { at: number; header: LibbpfHeader | undefined }>();

/**
 * The first bpf/bpf_helper_defs.h on the include path (the compiler's default paths last).
 * Cached for a while: lints ask on every edit, and libbpf upgrades are rare.
 */
export function findLibbpfHeader(includePaths: readonly string[] = []): LibbpfHeader | undefined {
  const key = includePaths.join('\0');
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.header;
  const header = searchLibbpfHeader(includePaths);
  cache.set(key, { at: Date.now(), header });
  return header;
}

function searchLibbpfHeader(includePaths: readonly string[]): LibbpfHeader | undefined {
  for (const dir of [...includePaths, '/usr/local/include', '/usr/include']) {
    const defs = path.join(dir, 'bpf', 'bpf_helper_defs.h');
    if (!existsSync(defs)) continue;
    let text: string;
    try {
      text = readFileSync(defs, 'utf8');
    } catch {
      continue;
    }
    let version: string | undefined;
    try {
      const v = readFileSync(path.join(dir, 'bpf', 'libbpf_version.h'), 'utf8');
      const major = /LIBBPF_MAJOR_VERSION\s+(\d+)/.exec(v)?.[1];
      const minor = /LIBBPF_MINOR_VERSION\s+(\d+)/.exec(v)?.[1];
      if (major && minor) version = `${major}.${minor}`;
    } catch {
      // older libbpf installs have no version header
    }
    return { dir, version, isConst: headerDeclaresConst(text) };
  }
  return undefined;
}

export function headerDeclaresConst(helperDefsText: string): boolean {
  return /\(\s*\*\s*const\s+bpf_map_lookup_elem\s*\)/.test(helperDefsText);
}

/** Whether the installed libbpf declares helpers `* const`; undefined when no header is found. */
export function libbpfHeaderIsConst(includePaths: readonly string[] = []): boolean | undefined {
  return findLibbpfHeader(includePaths)?.isConst;
}

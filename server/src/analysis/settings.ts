// The user's settings (VS Code `bpfls.*`, or initializationOptions / workspace/configuration from
// other editors), normalised so providers never see undefined or wrong types.

export interface BpflsSettings {
  /** clang to run; honoured only when `trusted` (Workspace Trust) or when it came from the machine. */
  clangPath: string;
  extraIncludePaths: string[];
  extraFlags: string[];
  /** Target kernel BTF for CO-RE and kfunc checks; '' means /sys/kernel/btf/vmlinux. */
  targetBtf: string;
  /** Globs of C files bpfls attaches to (the client filters by them; the server trusts the client). */
  files: string[];
  analyses: { compile: boolean; verify: boolean; run: boolean };
  /** Lint codes to drop, and per-code severity overrides ('error' | 'warning' | 'information' | 'hint'). */
  lints: { disabled: string[]; severity: Record<string, string> };
  /** Workspace Trust as reported by the client; CLI runs are trusted. */
  trusted: boolean;
  /** Syntax of bpf-asm files: detected per file ('auto'), or forced to LLVM's or GAS's. */
  asmSyntax: 'auto' | 'llvm' | 'gas';
  /** Also load each program into the running kernel (bpftool; needs root); honoured only when `trusted`. */
  kernelVerifier: boolean;
}

export const defaultSettings: BpflsSettings = {
  clangPath: '',
  extraIncludePaths: [],
  extraFlags: [],
  targetBtf: '',
  files: ['**/*.bpf.c', '**/*.bpf.h'],
  analyses: { compile: true, verify: true, run: true },
  lints: { disabled: [], severity: {} },
  trusted: true,
  asmSyntax: 'auto',
  kernelVerifier: false,
};

function str(v: unknown, d: string): string {
  return typeof v === 'string' ? v : d;
}
function bool(v: unknown, d: boolean): boolean {
  return typeof v === 'boolean' ? v : d;
}
function strs(v: unknown, d: string[]): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : d;
}
function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

function severities(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(obj(v))) {
    if (s === 'error' || s === 'warning' || s === 'information' || s === 'hint') out[k] = s;
  }
  return out;
}

/**
 * Builds settings from a `bpfls` configuration section. Accepts both nested objects
 * ({analyses: {verify: false}}) and VS Code's dotted keys ({'analyses.verify': false}).
 */
export function normalizeSettings(raw: unknown, trusted = true): BpflsSettings {
  const r = obj(raw);
  const get = (path: string): unknown => {
    if (path in r) return r[path];
    let cur: unknown = r;
    for (const part of path.split('.')) cur = obj(cur)[part];
    return cur;
  };
  const d = defaultSettings;
  return {
    clangPath: str(get('clangPath'), d.clangPath),
    extraIncludePaths: strs(get('extraIncludePaths'), d.extraIncludePaths),
    extraFlags: strs(get('extraFlags'), d.extraFlags),
    targetBtf: str(get('targetBtf'), d.targetBtf),
    files: strs(get('files'), d.files),
    analyses: {
      compile: bool(get('analyses.compile'), d.analyses.compile),
      verify: bool(get('analyses.verify'), d.analyses.verify),
      run: bool(get('analyses.run'), d.analyses.run),
    },
    lints: { disabled: strs(get('lints.disabled'), d.lints.disabled), severity: severities(get('lints.severity')) },
    trusted,
    asmSyntax: ((v) => (v === 'llvm' || v === 'gas' ? v : 'auto'))(get('asmSyntax')),
    kernelVerifier: bool(get('kernelVerifier'), d.kernelVerifier),
  };
}

// Reads the target facts (bpf/verifier/target.ts) and .kconfig values from the running kernel:
// /sys/devices/system/cpu/possible for nr_cpu_ids, /proc/config.gz or /boot/config-<release> for the
// build configuration (where libbpf reads .kconfig externs from). Used only when the target is the
// running kernel, the same condition as LINUX_KERNEL_VERSION (running-kernel.ts).
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { gunzipSync } from 'node:zlib';
import type { TargetFacts } from '../bpf/verifier/target';

/** nr_cpu_ids from a cpu list such as "0-1" or "0,2-5": the highest CPU + 1; undefined if unreadable. */
export function parseCpuList(text: string): number | undefined {
  let max = -1;
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    max = Math.max(max, Number(m[2] ?? m[1]));
  }
  return max >= 0 ? max + 1 : undefined;
}

/**
 * A kernel config file as libbpf reads it: `CONFIG_FOO=value` lines (values kept as written, quotes
 * included for strings); `# CONFIG_FOO is not set` and other lines leave the option absent.
 */
export function parseKconfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < 200_000; i++) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(lines[i].trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function readKconfigText(): string | undefined {
  try {
    return gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch { /* try /boot */ }
  try {
    return readFileSync(`/boot/config-${os.release()}`, 'utf8');
  } catch {
    return undefined;
  }
}

let cached: TargetFacts | undefined;

/** The running kernel's facts (read once per process); empty off Linux or where nothing is readable. */
export function runningTargetFacts(): TargetFacts {
  if (cached) return cached;
  const facts: TargetFacts = {};
  if (os.platform() === 'linux') {
    try {
      const n = parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
      if (n !== undefined) facts.possibleCpus = n;
    } catch { /* unknown: the verifier's default bound */ }
    const text = readKconfigText();
    if (text !== undefined) facts.kconfig = parseKconfig(text);
  }
  cached = facts;
  return facts;
}

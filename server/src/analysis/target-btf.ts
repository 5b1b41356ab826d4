// The target kernel's BTF (settings.targetBtf, default /sys/kernel/btf/vmlinux) as bytes, read once
// per path per process: every compile's object providers load against it.
import { readFileSync } from 'node:fs';
import type { BpflsSettings } from './settings';

let cached: { path: string; bytes: Uint8Array | undefined } | undefined;

export function targetBtfBytes(settings: BpflsSettings): Uint8Array | undefined {
  const path = settings.targetBtf || '/sys/kernel/btf/vmlinux';
  if (cached?.path === path) return cached.bytes;
  let bytes: Uint8Array | undefined;
  try { bytes = readFileSync(path); } catch { bytes = undefined; }
  cached = { path, bytes };
  return bytes;
}

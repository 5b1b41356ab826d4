// Checking a target-BTF file named by the user (bpfls.targetBtf, `bpfls check --target-btf`)
// before analyses quietly run without it: says what is wrong with the file, in words.
import * as fs from 'node:fs';
import { parseBtf } from '../bpf/btf/btf';

/** vmlinux BTF is a few MB; far beyond any kernel's */
const MAX_BTF_BYTES = 128 * 1024 * 1024;

/** Why FILE is not a usable target BTF ("FILE <problem>"), or undefined when it is one. */
export function targetBtfProblem(file: string): string | undefined {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(e as Error).message})`;
  }
  if (st.isDirectory()) return 'is a directory, not a BTF file (e.g. /sys/kernel/btf/vmlinux)';
  if (!st.isFile()) return 'is not a regular file';
  if (st.size > MAX_BTF_BYTES) return `is ${Math.round(st.size / (1024 * 1024))} MB, too large for BTF`;
  let bytes: Uint8Array;
  try { bytes = fs.readFileSync(file); } catch (e) { return `cannot be read (${(e as Error).message})`; }
  const r = parseBtf(bytes);
  if (!r.btf) {
    const why = r.errors[0] ?? 'unreadable';
    // an ELF file is the usual mistake: vmlinux itself instead of its BTF
    const elf = bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
    return elf ? 'is an ELF file, not raw BTF (extract its .BTF with `llvm-objcopy --dump-section .BTF=vmlinux.btf FILE`, or use /sys/kernel/btf/vmlinux)'
      : why.startsWith('not BTF: ') ? `is not BTF (${why.slice(9)})` : `is not valid BTF (${why})`;
  }
  return undefined;
}

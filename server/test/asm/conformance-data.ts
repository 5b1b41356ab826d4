// Reads the bpf_conformance `.data` format the way its own test parser does: `#` starts a comment
// anywhere, a line containing `--` switches section (asm, raw, mem, result, error; `-- no register
// offset` and `-- c` are ignored; any other is an unknown directive that makes the file invalid).
export interface ConformanceCase {
  asm: string;
  /** First line number (0-based) of the asm text inside the file. */
  asmLine: number;
  raw?: bigint[];
  mem: number[];
  result?: string;
  error?: string;
  /** Why the file itself is refused (unknown directive, no result or error). */
  fileError?: string;
}

export function parseConformanceData(text: string): ConformanceCase {
  type State = 'ignore' | 'asm' | 'raw' | 'result' | 'mem' | 'error';
  let state: State = 'ignore';
  const asm: string[] = [];
  let asmLine = 0;
  const raw: string[] = [];
  const mem: string[] = [];
  let result: string | undefined;
  let error: string | undefined;
  let fileError: string | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n].replace(/\r$/, '');
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    if (line.includes('--')) {
      if (line.includes('asm')) { state = 'asm'; asmLine = n + 1; continue; }
      if (line.includes('result')) { state = 'result'; continue; }
      if (line.includes('mem')) { state = 'mem'; continue; }
      if (line.includes('raw')) { state = 'raw'; continue; }
      if (line.includes('no register offset') || line.includes(' c')) { state = 'ignore'; continue; }
      if (line.includes('error')) { state = 'error'; error ??= ''; continue; }
      fileError ??= `unknown directive '${line.trim()}'`;
      state = 'ignore';
      continue;
    }
    if (state === 'asm') { asm.push(line); continue; }
    if (!line.trim()) continue;
    if (state === 'raw') raw.push(line);
    else if (state === 'mem') mem.push(line);
    else if (state === 'result') result = line.trim();
    else if (state === 'error') error = line.trim();
  }
  if (result === undefined && error === undefined) fileError ??= 'no result or error';
  const c: ConformanceCase = {
    asm: asm.join('\n'),
    asmLine,
    mem: mem.join(' ').split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16)),
    result,
    error,
    fileError,
  };
  if (raw.length) {
    const words = raw.join(' ').split(/\s+/).filter(Boolean);
    // Either 64-bit words (0x...) per instruction or 8 hex bytes per line.
    if (words.every((w) => /^0x[0-9a-f]{1,16}$/i.test(w))) c.raw = words.map((w) => BigInt(w));
    else {
      const bytes = words.map((w) => parseInt(w, 16));
      c.raw = [];
      for (let i = 0; i + 8 <= bytes.length; i += 8) {
        let v = 0n;
        for (let b = 7; b >= 0; b--) v = (v << 8n) | BigInt(bytes[i + b]);
        c.raw.push(v);
      }
    }
  }
  return c;
}

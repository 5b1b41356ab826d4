// Helper documentation, read at run time from the user's own headers (never shipped with bpfls):
// - libbpf's bpf/bpf_helper_defs.h: a comment "name / description / Returns" before each
//   `static <ret> (* const name)(<params>) = (void *) <id>;`
// - the uapi linux/bpf.h: one big comment with "<prototype> / Description / Return" entries, plus
//   the helper-ID mapper, positional (6.1: `FN(map_lookup_elem),`) or numbered (6.2+:
//   `FN(map_lookup_elem, 1, ##ctx)`).
// The markup is the kernel's RST-like style (**bold**, *emphasis*, "::" literal blocks, "\ "
// escapes); renderRst turns it into Markdown. Pure functions over text: finding the files is the
// caller's business.

export interface HelperDoc {
  /** "bpf_map_lookup_elem" */
  name: string;
  /** prototype as the header spells it, when it states one */
  proto?: string;
  /** Markdown */
  description: string;
  /** Markdown */
  returns: string;
  /** helper ID stated by the header (bpf_helper_defs.h's `(void *) N`, or the uapi mapper) */
  id?: number;
}

export interface HelperDocSet {
  form: 'libbpf-helper-defs' | 'uapi-positional' | 'uapi-numbered' | 'unknown';
  docs: Map<string, HelperDoc>;
  /** helper name (without bpf_) -> ID from the mapper or the defs */
  ids: Map<string, number>;
}

/** Strips the comment frame (" * ", " *\t") from a line inside a block comment. */
function unframe(line: string): string {
  const m = /^\s?\*(?: |(?=\t)|$)/.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/** Removes the smallest common leading-whitespace (tabs count as 8 columns) from every non-empty line. */
function dedent(lines: string[]): string[] {
  const expanded = lines.map((l) => l.replace(/^[ \t]+/, (ws) => ' '.repeat([...ws].reduce((n, c) => (c === '\t' ? n + 8 - (n % 8) : n + 1), 0))));
  let min = Infinity;
  for (const l of expanded) if (l.trim()) min = Math.min(min, l.length - l.trimStart().length);
  if (!isFinite(min)) min = 0;
  return expanded.map((l) => l.slice(Math.min(min, l.length - l.trimStart().length)));
}

/** Renders the kernel's RST-like helper markup as Markdown. */
export function renderRst(lines: string[]): string {
  // "**name**\" at a line end continues on the next line ("\ " split by wrapping).
  const joined: string[] = [];
  for (const l of lines) {
    const prev = joined[joined.length - 1];
    if (prev !== undefined && /\\$/.test(prev)) joined[joined.length - 1] = prev.slice(0, -1) + l.trimStart();
    else joined.push(l);
  }
  const src = dedent(joined);
  const out: string[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const line = src[i];
    // A paragraph ending in "::" introduces an indented literal block.
    if (/::\s*$/.test(line)) {
      const lead = line.replace(/::\s*$/, '').trimEnd();
      if (lead.trim()) out.push(inline(lead + (/[:]$/.test(lead) ? '' : ':')));
      i++;
      const block: string[] = [];
      while (i < n && (src[i].trim() === '' || src[i].length - src[i].trimStart().length > 0)) { block.push(src[i]); i++; }
      while (block.length && !block[block.length - 1].trim()) block.pop();
      while (block.length && !block[0].trim()) block.shift();
      if (block.length) out.push('', '```c', ...dedent(block), '```', '');
      continue;
    }
    out.push(inline(line));
    i++;
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

function inline(s: string): string {
  // "\ " is RST's zero-width separator (e.g. **bpf_probe_read**\ ()).
  let t = s.replace(/\\ /g, '').replace(/\\\//g, '/');
  // Indentation is meaningless in Markdown paragraphs but would turn into code blocks.
  const bullet = /^(\s*)([*-]) (.*)$/.exec(t);
  if (bullet) {
    return `${bullet[1].length ? '  ' : ''}- ${bullet[3]}`;
  }
  t = t.replace(/^\s+/, '');
  return t;
}

function collect(lines: string[], start: number, stop: (l: string) => boolean): { body: string[]; next: number } {
  const body: string[] = [];
  let i = start;
  while (i < lines.length && !stop(lines[i])) body.push(lines[i++]);
  while (body.length && !body[body.length - 1].trim()) body.pop();
  while (body.length && !body[0].trim()) body.shift();
  return { body, next: i };
}

/** Parses libbpf's bpf_helper_defs.h. */
function parseHelperDefs(text: string, out: HelperDocSet): void {
  const re = /\/\*\n([\s\S]*?)\*\/\s*\nstatic\s+([^;]*?)\(\*\s*(?:const\s+)?(\w+)\)\s*\(([^;]*?)\)\s*=\s*\(void \*\)\s*(\d+);/g;
  for (const m of text.matchAll(re)) {
    const name = m[3];
    const lines = m[1].split('\n').map(unframe);
    // lines[0] is the name; then the description until "Returns" at column 0.
    let i = 0;
    while (i < lines.length && !lines[i].trim()) i++;
    if (lines[i]?.trim() === name) i++;
    const d = collect(lines, i, (l) => /^Returns?\s*$/.test(l));
    const r = collect(lines, d.next + 1, () => false);
    const id = Number(m[5]);
    const ret = m[2].trim();
    out.docs.set(name, {
      name,
      proto: `${ret}${ret.endsWith('*') ? '' : ' '}${name}(${m[4].trim()})`,
      description: renderRst(d.body),
      returns: renderRst(r.body),
      id,
    });
    out.ids.set(name.replace(/^bpf_/, ''), id);
  }
}

/** Parses the uapi header's big helper comment and its FN mapper. */
function parseUapi(text: string, out: HelperDocSet): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const m = /^ \* ((?:\w+\s+)+\**\s*)(bpf_\w+)\((.*)\)\s*$/.exec(lines[i]);
    if (!m || !/^ \*\s+Description\s*$/.test(lines[i + 1])) continue;
    const name = m[2];
    const body: string[] = [];
    let j = i + 2;
    // The entry ends at the next prototype line, at the end of the comment, or at a column-0 blank line followed by a prototype.
    while (j < lines.length && !/^ \*\//.test(lines[j]) && !/^ \* \S/.test(lines[j])) body.push(unframe(lines[j++]));
    const retAt = body.findIndex((l) => /^\s+Return\s*$/.test(l));
    const desc = retAt >= 0 ? body.slice(0, retAt) : body;
    const rets = retAt >= 0 ? body.slice(retAt + 1) : [];
    if (!out.docs.has(name)) {
      out.docs.set(name, { name, proto: `${m[1].trim()}${m[1].trim().endsWith('*') ? '' : ' '}${name}(${m[3]})`, description: renderRst(trimBlank(desc)), returns: renderRst(trimBlank(rets)) });
    }
    i = j - 1;
  }
  // The mapper: numbered (FN(name, id, ##ctx)) or positional (FN(name), in ID order from unspec = 0).
  const numbered = [...text.matchAll(/^\s*FN\((\w+),\s*(\d+),\s*##ctx\)/gm)];
  if (numbered.length) {
    out.form = 'uapi-numbered';
    for (const m of numbered) out.ids.set(m[1], Number(m[2]));
  } else {
    const mapper = /#define __BPF_FUNC_MAPPER\(FN\)([\s\S]*?)\n\s*\/\* \*\/|#define __BPF_FUNC_MAPPER\(FN\)((?:[^\n]*\\\n)*[^\n]*)/.exec(text);
    const body = mapper ? mapper[1] ?? mapper[2] : '';
    const names = [...body.matchAll(/FN\((\w+)\)/g)].map((x) => x[1]);
    if (names.length) {
      out.form = 'uapi-positional';
      names.forEach((nm, idx) => out.ids.set(nm, idx));
    }
  }
  for (const [nm, id] of out.ids) {
    const d = out.docs.get(`bpf_${nm}`);
    if (d && d.id === undefined) d.id = id;
  }
}

function trimBlank(l: string[]): string[] {
  const a = [...l];
  while (a.length && !a[a.length - 1].trim()) a.pop();
  while (a.length && !a[0].trim()) a.shift();
  return a;
}

/** Parses either header form; the result says which form it found. Never throws. */
export function parseHelperDocs(text: string): HelperDocSet {
  const out: HelperDocSet = { form: 'unknown', docs: new Map(), ids: new Map() };
  try {
    if (/=\s*\(void \*\)\s*\d+;/.test(text)) {
      out.form = 'libbpf-helper-defs';
      parseHelperDefs(text, out);
    } else {
      parseUapi(text, out);
    }
  } catch {
    // A malformed header yields whatever was parsed before the problem.
  }
  return out;
}

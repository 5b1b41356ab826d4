// Matching file paths against the bpfls.files globs (`**/*.bpf.c`), the same way VS Code's
// document selector does, so editors without a selector (Neovim, Emacs) get the same files.

const cache = new Map<string, RegExp>();

/** Converts a glob (`**`, `*`, `?`, `{a,b}`, `[abc]`) to an anchored RegExp over '/'-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let out = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // '**/' matches any number of directories (including none); a trailing '**' anything.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      inBraces++;
      out += '(?:';
    } else if (c === '}' && inBraces > 0) {
      inBraces--;
      out += ')';
    } else if (c === ',' && inBraces > 0) out += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else out += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  re = new RegExp(`^${out}$`);
  cache.set(glob, re);
  return re;
}

/** A brace-free glob as tokens: characters, `?`, `[...]`, `*`, `**`, and a '**' followed by '/' (any directories). */
type GlobToken = string | { kind: 'any' | 'star' | 'globstar' | 'dirs' } | { kind: 'class'; re: RegExp | undefined };

/** Brace alternatives beyond this are dropped: `{a,b}{c,d}...` multiplies. */
const MAX_ALTERNATIVES = 256;

/** `a{b,c{d,e}}` -> ['ab', 'acd', 'ace']; an unclosed '{' is a literal character. */
function expandBraces(glob: string, out: string[] = []): string[] {
  let open = -1;
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = 0; i < glob.length && close < 0; i++) {
    const c = glob[i];
    if (c === '[') { const end = glob.indexOf(']', i + 1); if (end > 0) i = end; }
    else if (c === '{') { if (depth++ === 0) open = i; }
    else if (c === '}' && depth > 0) { if (--depth === 0) close = i; }
    else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) {
    if (out.length < MAX_ALTERNATIVES) out.push(glob);
    return out;
  }
  const head = glob.slice(0, open), tail = glob.slice(close + 1);
  const bounds = [open, ...commas, close];
  for (let k = 0; k + 1 < bounds.length && out.length < MAX_ALTERNATIVES; k++) {
    expandBraces(head + glob.slice(bounds[k] + 1, bounds[k + 1]) + tail, out);
  }
  return out;
}

function tokenize(glob: string): GlobToken[] {
  const out: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        if (glob[i + 2] === '/') { out.push({ kind: 'dirs' }); i += 2; } else { out.push({ kind: 'globstar' }); i += 1; }
      } else out.push({ kind: 'star' });
    } else if (c === '?') out.push({ kind: 'any' });
    else if (c === '[' && glob.indexOf(']', i + 1) > 0) {
      const end = glob.indexOf(']', i + 1);
      let re: RegExp | undefined;
      try { re = new RegExp('^[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']$'); } catch { re = undefined; }
      out.push({ kind: 'class', re });
      i = end;
    } else out.push(c);
  }
  return out;
}

const compiled = new Map<string, GlobToken[][]>();

/**
 * Matches a glob in time linear in the path for each token (positions reachable after each token,
 * as a set), never by backtracking: bpfls.files comes from workspace settings, and a regular
 * expression for many '**' segments or `*a*a*a*b` backtracks for minutes.
 */
function globMatches(glob: string, text: string): boolean {
  let alternatives = compiled.get(glob);
  if (!alternatives) {
    alternatives = expandBraces(glob).map(tokenize);
    if (compiled.size > 256) compiled.clear();
    compiled.set(glob, alternatives);
  }
  const n = text.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  for (const tokens of alternatives) {
    cur.fill(0);
    cur[0] = 1;
    let alive = true;
    for (const t of tokens) {
      next.fill(0);
      alive = false;
      if (typeof t === 'string') {
        for (let i = 0; i < n; i++) if (cur[i] && text[i] === t) { next[i + 1] = 1; alive = true; }
      } else if (t.kind === 'any') {
        for (let i = 0; i < n; i++) if (cur[i] && text[i] !== '/') { next[i + 1] = 1; alive = true; }
      } else if (t.kind === 'class') {
        const re = t.re; // an invalid class matches nothing
        for (let i = 0; re && i < n; i++) if (cur[i] && re.test(text[i])) { next[i + 1] = 1; alive = true; }
      } else if (t.kind === 'star') {
        for (let j = 0; j <= n; j++) if ((next[j] = cur[j] || (j > 0 && next[j - 1] && text[j - 1] !== '/') ? 1 : 0)) alive = true;
      } else if (t.kind === 'globstar') {
        for (let j = 0; j <= n; j++) if ((next[j] = cur[j] || (j > 0 && next[j - 1]) ? 1 : 0)) alive = true;
      } else {
        // '**/': zero directories, or anything ending in '/'
        let seen = false;
        for (let j = 0; j <= n; j++) {
          if ((next[j] = cur[j] || (seen && text[j - 1] === '/') ? 1 : 0)) alive = true;
          if (cur[j]) seen = true;
        }
      }
      [cur, next] = [next, cur];
      if (!alive) break;
    }
    if (alive && cur[n]) return true;
  }
  return false;
}

/**
 * Whether `filePath` matches any glob. Globs without a '/' match the base name; others match
 * the path relative to `root` (when inside it) or the absolute path.
 */
export function matchesAnyGlob(filePath: string, globs: readonly string[], root?: string): boolean {
  const abs = filePath.replace(/\\/g, '/');
  const r = root?.replace(/\\/g, '/').replace(/\/$/, '');
  const rel = r && abs.startsWith(r + '/') ? abs.slice(r.length + 1) : undefined;
  const base = abs.slice(abs.lastIndexOf('/') + 1);
  return globs.some((g) => {
    if (!g.includes('/')) return globMatches(g, base);
    return (rel !== undefined && globMatches(g, rel)) || globMatches(g, abs) || globMatches(g, abs.replace(/^\//, ''));
  });
}

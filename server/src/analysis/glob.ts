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
    const re = globToRegExp(g);
    if (!g.includes('/')) return re.test(base);
    return (rel !== undefined && re.test(rel)) || re.test(abs) || re.test(abs.replace(/^\//, ''));
  });
}

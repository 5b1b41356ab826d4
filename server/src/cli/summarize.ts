// Keeping error output readable when the input is garbage: a compiler or assembler can report an
// error per byte. Shared by the commands that build objects (verify, run) and the debugger.

/** At most `max` lines of an error list, then "(N more)"; long lines are cut. */
export function firstErrors(lines: readonly string[], max = 10): string {
  const keep = lines.filter((l) => l.trim() !== '');
  return keep.slice(0, max).map((l) => (l.length > 300 ? l.slice(0, 300) + '...' : l)).join('\n') +
    (keep.length > max ? `\n(${keep.length - max} more)` : '');
}

/** clang's diagnostics without the echoed source lines and carets, at most 10 of them. */
export function summarizeClangErrors(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const diags = lines.filter((l) => /:\d+:\d+: (fatal error|error|warning):/.test(l));
  return firstErrors(diags.length ? diags : lines);
}

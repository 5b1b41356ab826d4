// The knowledge index is shifted, not rebuilt, after small edits that change no declaration
// (features/knowledge/scan.ts shiftIndex). Checked here against a fresh index over thousands of
// random edits, chained so errors would accumulate: every shifted index must equal the rebuilt one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDocument, shiftIndex, type DocIndex } from '../../src/features/knowledge/scan';
import { DocumentSnapshot } from '../../src/analysis/document';
import { docIndex } from '../../src/features/knowledge/scan';
import { repoRoot } from '../lsp-client';

const TRICKY = `#include <bpf/bpf_helpers.h>
#define X 1 // SEC("kprobe/x") in a comment
/* block comment with bpf_map_lookup_elem( and
   SEC("xdp") int fake(void) { } spanning lines */
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern
  void bpf_task_release(struct task_struct *p)
  __ksym __weak;
char msg[] = "a string with bpf_ringbuf_output( and \\" an escaped quote";
char c = 'x';
SEC ( "xdp" )
int a(struct xdp_md *ctx) { char *s = "bpf_fake_call("; return bpf_get_prandom_u32(); }
SEC(

  "tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev)
{
	helper_fn(prev); // trailing comment bpf_printk(
	bpf_task_acquire(prev);
	return 0;
}
static int helper_fn(void *p) { return bpf_get_smp_processor_id() + (int)(long)p; }
SEC
  ab ("not/a/prog") int not_prog(void) { return 0; }
section (  cd  "nor/this") int not_prog2(void) { return 0; }
static __attribute__((section("lsm.s/file_open"), used)) int c2(void *ctx) { return 0; }
struct { int x; } maps_like SEC(".maps");
char LICENSE[] SEC("license") =
	"Dual MIT/GPL";
`;

function samples(): string[] {
  const out = [TRICKY];
  const dir = path.join(repoRoot, 'examples');
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (f.endsWith('.bpf.c')) out.push(fs.readFileSync(path.join(dir, f), 'utf8'));
  return out;
}

/** Everything a consumer reads, lazy parts included. */
function view(ix: DocIndex) {
  return {
    code: ix.code, programs: ix.programs, data: ix.data, license: ix.license, ksyms: [...ix.ksyms].sort(),
    declInsertOffset: ix.declInsertOffset, calls: ix.calls, functions: ix.functions, callers: [...ix.callers.entries()],
  };
}

const WORDS = ['SEC', 'section', 'extern', '__ksym', 'include', 'bpf_map_lookup_elem', 'x', 'int', 'helper_fn', 'a'];

test('a shifted index equals the rebuilt one after random small edits', () => {
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
  const randomInsert = (): string => {
    const k = rnd(10);
    if (k < 3) return WORDS[rnd(WORDS.length)];
    if (k < 5) return ' '.repeat(1 + rnd(3));
    if (k < 6) return '';
    if (k < 7) return '/*"\'\\\n{};('[rnd(11)];
    let s = '';
    for (let i = 1 + rnd(5); i > 0; i--) s += 'abcXYZ_019 '[rnd(11)];
    return s;
  };
  let shifted = 0, total = 0;
  for (const base of samples()) {
    let text = base;
    let ix = indexDocument(text);
    let at = 0;
    for (let step = 0; step < 600; step++) {
      // edits cluster like typing: just after the previous one half of the time
      at = rnd(2) && at < text.length ? at + rnd(3) : rnd(text.length + 1);
      const del = rnd(3) === 0 ? rnd(6) : 0;
      const next = text.slice(0, at) + randomInsert() + text.slice(Math.min(text.length, at + del));
      const fresh = indexDocument(next);
      const moved = shiftIndex(ix, text, next);
      total++;
      if (moved) {
        shifted++;
        assert.deepEqual(view(moved), view(fresh), `edit at ${at} (-${del}) of:\n${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}\n->\n${JSON.stringify(next.slice(Math.max(0, at - 40), at + 40))}`);
      }
      text = next;
      ix = moved ?? fresh;
    }
  }
  // the check is not vacuous: most word edits are shifted
  assert.ok(shifted > total / 5, `${shifted} of ${total} edits shifted`);
});

test('docIndex shifts between versions of one document and rebuilds when a declaration changes', () => {
  const uri = 'file:///shift.bpf.c';
  const v1 = new DocumentSnapshot(uri, 'c', 1, TRICKY);
  const i1 = docIndex(v1);
  const at = TRICKY.indexOf('\treturn 0;\n}') + 1;
  const v2 = new DocumentSnapshot(uri, 'c', 2, TRICKY.slice(0, at) + 'foo ' + TRICKY.slice(at));
  const i2 = docIndex(v2);
  assert.equal(i2.ksyms, i1.ksyms, 'shifted: the declarations are shared');
  assert.deepEqual(view(i2), view(indexDocument(v2.text)));
  const sec = v2.text.indexOf('SEC ( "xdp"') + 7;
  const v3 = new DocumentSnapshot(uri, 'c', 3, v2.text.slice(0, sec) + 'tc' + v2.text.slice(sec + 3));
  const i3 = docIndex(v3);
  assert.equal(i3.programs[0].section, 'tc');
  assert.deepEqual(view(i3), view(indexDocument(v3.text)));
});

test('edits that would join SEC to its ("..."), or split them, are never shifted wrongly', () => {
  const check = (text: string, at: number, del: number, ins: string) => {
    const next = text.slice(0, at) + ins + text.slice(at + del);
    const moved = shiftIndex(indexDocument(text), text, next);
    if (moved) assert.deepEqual(view(moved), view(indexDocument(next)), JSON.stringify(next.slice(at - 20, at + 20)));
  };
  const ab = TRICKY.indexOf('ab ("not');
  check(TRICKY, ab, 2, '');
  check(TRICKY, TRICKY.indexOf('cd  "nor'), 2, '');
  check(TRICKY, TRICKY.indexOf('( "xdp"') + 1, 0, 'zz');
  check(TRICKY, TRICKY.indexOf('(\n\n  "tp_btf') + 1, 0, 'zz');
  assert.equal(indexDocument(TRICKY.slice(0, ab) + TRICKY.slice(ab + 2)).programs.some((p) => p.section === 'not/a/prog'), true, 'the case is real');
});

// 10,000 random edits to one document (insertions, deletions, pasted garbage, huge lines): the
// server stays up, its memory stays bounded, and the final diagnostics equal a fresh open's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspTestClient, fileUri, type Diagnostic } from '../lsp-client';

const EDITS = Number(process.env.BPFLS_SOAK_EDITS ?? 10_000);
/** Edits sent back to back before letting the server catch up (a fast typist's burst). */
const BURST = 100;
const MAX_TEXT = 40_000;

const SEED_TEXT = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;

const SNIPPETS = [
  '{', '}', '(', ')', ';', ',', '\n', '\t', ' ', '"', "'", '/*', '*/', '//', '#', '\\',
  'int x = 1;\n', 'return 0;', 'if (v) {', '} else {', 'SEC("tc")', '__uint(max_entries, 4);',
  'bpf_map_lookup_elem(&counts, &key)', 'static __always_inline int f(void) { return 1; }\n',
  '#define X(a) ((a) + 1)\n', 'asm volatile("r0 = 0");', 'é', '😀', '\u0000', '\r\n', 'struct { int a; } s;',
];

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

function garbage(r: (n: number) => number, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) {
    const k = r(10);
    out += k < 6 ? String.fromCharCode(32 + r(95)) : k < 8 ? '\n' : String.fromCharCode(r(0x3000));
  }
  return out;
}

function key(d: Diagnostic): string {
  return JSON.stringify([d.range, d.severity, d.code, d.source, d.message]);
}

test(`soak: ${EDITS} random edits`, { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-soak-'));
  const uri = fileUri(path.join(dir, 'soak.bpf.c'));
  // A long debounce: the bulk exercises the per-edit syntax path; the compile runs at the end.
  const c = await LspTestClient.start({ debounceMs: 400 });
  const r = rng(1234567);
  let doc = TextDocument.create(uri, 'c', 1, SEED_TEXT);
  const t0 = Date.now();
  let rssAfterWarmup: number | undefined;
  let rssMax = 0;
  try {
    c.open(uri, SEED_TEXT);
    await c.waitForDiagnostics(uri, () => true, { version: 1 });
    for (let i = 0; i < EDITS; i++) {
      const text = doc.getText();
      const len = text.length;
      let start = r(len + 1);
      let end = start;
      let insert = '';
      const kind = r(100);
      if (len > MAX_TEXT) {
        end = Math.min(len, start + r(len / 2));
      } else if (kind < 40) {
        insert = SNIPPETS[r(SNIPPETS.length)];
      } else if (kind < 65) {
        end = Math.min(len, start + r(40));
      } else if (kind < 85) {
        end = Math.min(len, start + r(5));
        insert = garbage(r, 1 + r(60));
      } else if (kind < 95) {
        // paste a chunk of the document elsewhere
        const from = r(len + 1);
        insert = text.slice(from, from + r(400));
      } else if (kind < 99) {
        insert = 'x'.repeat(2000 + r(20_000)) + '\n';
      } else {
        start = 0;
        end = len;
        insert = r(2) ? SEED_TEXT : garbage(r, 2000);
      }
      const change = { range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: insert };
      doc = TextDocument.update(doc, [change], doc.version + 1);
      c.change(uri, doc.version, [change]);
      if (i % BURST === BURST - 1) {
        // Let the server catch up on this burst before the next one.
        await c.waitForDiagnostics(uri, () => true, { version: doc.version, timeoutMs: 30_000 });
        const rss = c.rssMiB();
        if (rss !== undefined) {
          rssMax = Math.max(rssMax, rss);
          if (i >= 1000 && rssAfterWarmup === undefined) rssAfterWarmup = rss;
        }
      }
    }
    assert.equal(c.exited, undefined, 'the server is still running');
    // The final text compiles (or fails) once the edits stop.
    await c.waitForAnalysis(uri, doc.version, 60_000);
    const final = c.diagnostics.get(uri)!;
    assert.equal(final.version, doc.version);
    const soakMs = Date.now() - t0;

    // A fresh server opening the final text must publish the same diagnostics.
    const fresh = await LspTestClient.start({ debounceMs: 0 });
    try {
      fresh.open(uri, doc.getText());
      await fresh.waitForAnalysis(uri, 1, 60_000);
      const expected = fresh.diagnostics.get(uri)!.diagnostics.map(key).sort();
      assert.deepEqual(final.diagnostics.map(key).sort(), expected);
    } finally {
      await fresh.stop();
    }
    process.stdout.write(`# soak: ${EDITS} edits in ${soakMs} ms, final ${doc.getText().length} chars, ` +
      `${final.diagnostics.length} diagnostics, RSS after warm-up ${rssAfterWarmup?.toFixed(0)} MiB, max ${rssMax.toFixed(0)} MiB\n`);
    if (rssAfterWarmup !== undefined) {
      assert.ok(rssMax < 600, `RSS stayed under 600 MiB (max ${rssMax.toFixed(0)})`);
      assert.ok(rssMax - rssAfterWarmup < 200, `RSS grew by ${(rssMax - rssAfterWarmup).toFixed(0)} MiB after warm-up`);
    }
  } finally {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The debug adapter's framing on garbage: input without headers is not kept (it grew without
// bound and was searched again on every chunk), a Content-Length no client sends is skipped
// instead of awaited, and a proper request after all that is still answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugAdapter } from '../../src/debug/adapter';

test('garbage before a request: bounded buffering, the request still answered', async () => {
  const out: string[] = [];
  const a = new DebugAdapter((s) => out.push(s));
  const junk = Buffer.alloc(1 << 20, 0x41);
  const t0 = performance.now();
  for (let i = 0; i < 64; i++) a.receive(junk);
  assert.ok((a as unknown as { buf: Buffer }).buf.length < 1 << 17, 'junk is not kept');
  assert.ok(performance.now() - t0 < 10_000, 'linear in the input');
  a.receive(Buffer.from('Content-Length: 99999999999\r\n\r\n'));
  const body = JSON.stringify({ seq: 1, type: 'request', command: 'threads' });
  // split across chunks, as pipes deliver it
  const msg = Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  a.receive(msg.subarray(0, 10));
  a.receive(msg.subarray(10));
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(out.some((o) => o.includes('"command":"threads"') && o.includes('"success":true')), out.join('\n').slice(0, 300));
});

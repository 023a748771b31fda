// Mermaid's own parser reads what `/topology --format mermaid` prints for
// the devcloud: the export is a diagram a Mermaid viewer renders, not only
// text that looks like one. Mermaid expects a browser; jsdom stands in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const k of ['DOMParser', 'Element', 'HTMLElement', 'Node', 'SVGElement', 'getComputedStyle']) {
  globalThis[k] = dom.window[k];
}
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const bin = process.env.OSTUI_BIN;

test('the devcloud topology parses as a Mermaid flowchart', async () => {
  assert.ok(bin, 'OSTUI_BIN names the ostui binary');
  const text = execFileSync(bin, ['--os-cloud', 'devcloud', '-c', '/topology --format mermaid'], { encoding: 'utf8' });
  assert.match(text, /^graph LR\n/);
  assert.match(text, /\bprivate\b/, 'the devcloud network "private" is drawn');
  const r = await mermaid.parse(text);
  assert.equal(r.diagramType, 'flowchart-v2');
});

test('the parser refuses a broken diagram (the check can fail)', async () => {
  await assert.rejects(mermaid.parse('graph LR\n  a["x"] ---|"edge to nowhere"|\n'));
});

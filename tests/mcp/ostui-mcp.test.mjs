// End-to-end tests of `ostui mcp`, driven by the official MCP TypeScript
// SDK client over stdio against a real cloud (the devcloud). The oracle is
// the openstack CLI on the same cloud. Run by scripts/mcp-e2e (make e2e):
//
//   OSTUI_BIN=bin/ostui OS_CLIENT_CONFIG_FILE=/var/lib/devcloud/clouds.yaml \
//     node --test tests/mcp/
//
// Every change made here is a key pair named after this run, removed at
// the end whatever happened.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(process.env.OSTUI_BIN ?? join(here, '..', '..', 'bin', 'ostui'));
const cloud = process.env.OSTUI_E2E_CLOUD ?? 'devcloud';
const configFile = process.env.OS_CLIENT_CONFIG_FILE ?? '/var/lib/devcloud/clouds.yaml';
const keypair = `ostui-mcp-e2e-${process.pid}`;

// ostui's state (the audit log) and home (where keypair.create saves the
// private key) are this run's own.
const scratch = mkdtempSync(join(tmpdir(), 'ostui-mcp-e2e-'));
const stateDir = join(scratch, 'state');
const home = join(scratch, 'home');

const serverEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  OS_CLIENT_CONFIG_FILE: configFile,
  OSTUI_STATE_DIR: stateDir,
  OSTUI_CACHE_DIR: join(scratch, 'cache'),
};

/** openstack runs the openstack CLI on the same cloud and parses its JSON. */
function openstack(...args) {
  const out = execFileSync('openstack', ['--os-cloud', cloud, ...args, '-f', 'json'], {
    env: { ...process.env, OS_CLIENT_CONFIG_FILE: configFile },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

/** keypairExists asks the openstack CLI whether the run's key pair exists. */
function keypairExists() {
  const r = spawnSync('openstack', ['--os-cloud', cloud, 'keypair', 'show', keypair, '-f', 'json'], {
    env: { ...process.env, OS_CLIENT_CONFIG_FILE: configFile },
    encoding: 'utf8',
  });
  return r.status === 0;
}

const sessions = [];

/**
 * connect starts `ostui mcp` and connects a client. elicit, when given, is
 * the person at the client: it answers each elicitation request (and the
 * client then declares elicitation support); without it the client
 * cannot elicit.
 */
async function connect({ allowChanges = false, elicit = null } = {}) {
  const args = ['mcp', '--os-cloud', cloud];
  if (allowChanges) args.push('--allow-changes');
  const transport = new StdioClientTransport({ command: bin, args, env: serverEnv, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => { stderr += d; });
  const client = new Client(
    { name: 'ostui-mcp-e2e', version: '1.0.0' },
    elicit ? { capabilities: { elicitation: { form: {} } } } : {},
  );
  const asked = [];
  if (elicit) {
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params);
      return elicit(req.params);
    });
  }
  await client.connect(transport);
  const s = { client, asked, stderr: () => stderr };
  sessions.push(s);
  return s;
}

/**
 * call calls a tool and returns its structured content, after checking
 * that the text content says the same and that no secret leaked.
 */
async function call(client, name, args) {
  const res = await client.callTool({ name, arguments: args });
  assert.equal(res.content.length, 1, `${name}: one content block`);
  assert.equal(res.content[0].type, 'text');
  assert.deepEqual(JSON.parse(res.content[0].text), res.structuredContent, `${name}: text and structured content agree`);
  assert.doesNotMatch(res.content[0].text, /PRIVATE KEY|X-Auth-Token: [^<]/, `${name}: no secret in the result`);
  return { ...res.structuredContent, isError: res.isError === true };
}

const byID = (a, b) => String(a.ID).localeCompare(String(b.ID));

function keypairPlan(tool, why) {
  return { goal: `${tool} ${keypair}`, steps: [{ id: 'kp', tool, args: { name: keypair }, why }] };
}

before(() => {
  assert.ok(existsSync(bin), `no ostui binary at ${bin}; run make build (or set OSTUI_BIN)`);
});

after(async () => {
  for (const s of sessions) await s.client.close().catch(() => {});
  if (keypairExists()) {
    spawnSync('openstack', ['--os-cloud', cloud, 'keypair', 'delete', keypair], {
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: configFile },
    });
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('ostui mcp (reads only)', () => {
  let s;
  before(async () => { s = await connect(); });

  it('lists every read tool, describe_tool and propose_plan, and no change tool', async () => {
    const { tools } = await s.client.listTools();
    const names = tools.map((t) => t.name);
    for (const want of ['flavor__list', 'server__list', 'keypair__list', 'describe_tool', 'propose_plan']) {
      assert.ok(names.includes(want), `${want} is offered`);
    }
    for (const change of ['server__stop', 'keypair__create', 'keypair__delete', 'server__delete']) {
      assert.ok(!names.includes(change), `${change} is not a tool`);
    }
    const reads = tools.filter((t) => t.annotations?.readOnlyHint);
    assert.equal(reads.length, tools.length - 1, 'every tool but propose_plan is read-only');
    for (const t of tools) assert.equal(t.inputSchema.type, 'object', `${t.name} takes an object`);
  });

  it('flavor__list answers what openstack flavor list -f json does', async () => {
    const got = await call(s.client, 'flavor__list', {});
    assert.equal(got.isError, false);
    const want = openstack('flavor', 'list');
    assert.ok(want.length > 0, 'the devcloud has flavors');
    assert.deepEqual([...got.rows].sort(byID), [...want].sort(byID));
  });

  it('server__list names the servers openstack server list does', async () => {
    const got = await call(s.client, 'server__list', {});
    const pick = (r) => ({ ID: r.ID, Name: r.Name, Status: r.Status });
    const want = openstack('server', 'list');
    assert.deepEqual(got.rows.map(pick).sort(byID), want.map(pick).sort(byID));
  });

  it('refuses a scope-redirecting argument', async () => {
    const got = await call(s.client, 'server__list', { project: 'admin' });
    assert.equal(got.isError, true);
    assert.equal(got.status, 'invalid');
    assert.match(got.errors.join(' '), /project may not be set by an MCP client/);
  });

  it('describe_tool gives a change tool\'s arguments', async () => {
    const got = await call(s.client, 'describe_tool', { name: 'keypair.create' });
    assert.equal(got.tool, 'keypair.create');
    assert.ok(got.args.properties.name, 'the name argument is described');
    assert.ok(!got.args.properties.private_key_file, 'a local file is not the client\'s to name');
  });

  it('refuses every plan without --allow-changes', async () => {
    const got = await call(s.client, 'propose_plan', keypairPlan('keypair.create', 'e2e'));
    assert.equal(got.isError, true);
    assert.equal(got.status, 'denied');
    assert.equal(got.retryable, false);
    assert.match(got.errors[0], /started without --allow-changes/);
    assert.equal(keypairExists(), false, 'nothing was created');
  });
});

describe('docs/mcp.md', () => {
  it('the client configuration shown starts a working server', async () => {
    const doc = readFileSync(join(here, '..', '..', 'docs', 'mcp.md'), 'utf8');
    const block = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('mcpServers'));
    assert.ok(block, 'docs/mcp.md has a client configuration');
    const { command, args, env } = JSON.parse(block).mcpServers.ostui;
    assert.equal(command, 'ostui');
    // The configuration as written; only the binary is this build's.
    const transport = new StdioClientTransport({ command: bin, args, env: { ...serverEnv, ...env }, stderr: 'pipe' });
    const client = new Client({ name: 'ostui-mcp-e2e-doc', version: '1.0.0' });
    await client.connect(transport);
    sessions.push({ client });
    const got = await call(client, 'flavor__list', {});
    assert.equal(got.isError, false, JSON.stringify(got));
    assert.ok(got.rows.length > 0);
  });
});

describe('ostui mcp --allow-changes', () => {
  it('refuses changes to a client that cannot elicit', async () => {
    const s = await connect({ allowChanges: true });
    const got = await call(s.client, 'propose_plan', keypairPlan('keypair.create', 'e2e: no elicitation'));
    assert.equal(got.status, 'denied');
    assert.match(got.errors[0], /cannot show the plan to a person/);
    assert.equal(keypairExists(), false, 'nothing was created');
  });

  it('an invalid plan comes back with its errors', async () => {
    const s = await connect({ allowChanges: true, elicit: () => ({ action: 'accept', content: { approve: true } }) });
    const got = await call(s.client, 'propose_plan', { goal: 'bad', steps: [{ id: 'kp', tool: 'keypair.create', args: { name: 'bad name!' } }] });
    assert.equal(got.status, 'invalid');
    assert.equal(got.retryable, true);
    assert.ok(got.errors.length > 0);
    assert.equal(s.asked.length, 0, 'an invalid plan is never shown for approval');
  });

  it('a declined plan runs nothing', async () => {
    const s = await connect({ allowChanges: true, elicit: () => ({ action: 'decline' }) });
    const got = await call(s.client, 'propose_plan', keypairPlan('keypair.create', 'e2e: declined'));
    assert.equal(got.status, 'denied');
    assert.equal(got.retryable, false);
    assert.equal(s.asked.length, 1, 'the person was asked once');
    assert.match(s.asked[0].message, new RegExp(`keypair create.*${keypair}`));
    assert.equal(keypairExists(), false, 'nothing was created');
  });

  it('an accepted plan runs, and the private key stays on this machine', async () => {
    const s = await connect({ allowChanges: true, elicit: () => ({ action: 'accept', content: { approve: true } }) });
    const got = await call(s.client, 'propose_plan', keypairPlan('keypair.create', 'e2e: accepted'));
    assert.equal(got.status, 'ok', JSON.stringify(got));
    assert.equal(s.asked.length, 1);
    assert.ok(got.review.includes(keypair), 'the review names the key pair');
    assert.equal(keypairExists(), true, 'the key pair exists');
    assert.ok(existsSync(join(home, '.ssh', `${keypair}.pem`)), 'the private key was saved where ostui runs');
  });

  it('an accepted destroy plan removes it', async () => {
    const s = await connect({ allowChanges: true, elicit: () => ({ action: 'accept', content: { approve: true } }) });
    const got = await call(s.client, 'propose_plan', { goal: `delete ${keypair}`, steps: [{ id: 'kp', tool: 'keypair.delete', args: { keypair }, why: 'e2e: clean up' }] });
    assert.equal(got.status, 'ok', JSON.stringify(got));
    assert.equal(keypairExists(), false, 'the key pair is gone');
  });

  it('the audit log records every decision with origin mcp', () => {
    const path = join(stateDir, 'audit.jsonl');
    const records = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(records.length > 0);
    for (const r of records) assert.equal(r.origin, 'mcp', `record ${JSON.stringify(r)}`);
    const denied = records.filter((r) => r.event === 'denied');
    assert.equal(denied.length, 2, `the client without elicitation and the declined plan: ${JSON.stringify(records)}`);
    const approvals = records.filter((r) => r.event === 'approval');
    assert.equal(approvals.length, 2);
    for (const a of approvals) assert.equal(a.approval, 'elicitation');
    const steps = records.filter((r) => r.event === 'step').map((r) => `${r.tool} ${r.result}`);
    assert.deepEqual(steps, ['keypair.create ok', 'keypair.delete ok']);
    assert.doesNotMatch(readFileSync(path, 'utf8'), /PRIVATE KEY/);
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileLog } from '../src/log/file-log';
import { makeRedactor, REDACTED } from '../src/log/redact';

describe('agent log', () => {
  let folder: string;
  beforeEach(() => { folder = mkdtempSync(join(tmpdir(), 'agent-log-')); });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const linesOf = (file: string) => readFileSync(join(folder, file), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one JSON object per line with time, level and message', () => {
    const file = openFileLog({ folder, maxBytes: 10_000, keep: 2, now: () => new Date('2026-12-04T10:00:00Z') });
    file.log('info', 'agent started', { port: 8443 });
    file.log('warn', 'company locked', { company: 'ABC' });
    file.close();
    assert.deepEqual(linesOf('agent.log'), [
      { time: '2026-12-04T10:00:00.000Z', level: 'info', message: 'agent started', port: 8443 },
      { time: '2026-12-04T10:00:00.000Z', level: 'warn', message: 'company locked', company: 'ABC' },
    ]);
  });

  it('rotates by size and keeps only the newest files', () => {
    const file = openFileLog({ folder, maxBytes: 200, keep: 2 });
    for (let index = 0; index < 20; index++) file.log('info', `request ${index}`, { padding: 'x'.repeat(60) });
    file.close();
    assert.deepEqual(readdirSync(folder).sort(), ['agent.log', 'agent.log.1', 'agent.log.2']);
    const newestFirst = ['agent.log', 'agent.log.1', 'agent.log.2'].map((name) => linesOf(name).map((entry) => entry.message));
    assert.equal(newestFirst[0]!.at(-1), 'request 19');
    assert.equal(newestFirst[1]!.at(-1), `request ${19 - newestFirst[0]!.length}`);
    for (const name of readdirSync(folder)) assert.ok(readFileSync(join(folder, name)).length <= 200);
  });

  it('a rotation that fails (a file in the way) loses no line and is tried again later', () => {
    mkdirSync(join(folder, 'agent.log.1', 'held'), { recursive: true });
    const file = openFileLog({ folder, maxBytes: 200, keep: 1 });
    const stderr = process.stderr.write;
    const complaints: string[] = [];
    process.stderr.write = ((chunk: string) => { complaints.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      for (let index = 0; index < 6; index++) file.log('info', `request ${index}`, { padding: 'x'.repeat(60) });
    } finally {
      process.stderr.write = stderr;
      file.close();
    }
    assert.deepEqual(linesOf('agent.log').map((entry) => entry.message), ['request 0', 'request 1', 'request 2', 'request 3', 'request 4', 'request 5']);
    assert.match(complaints[0] ?? '', /rotation of .*agent\.log failed \((ERR_FS_)?EISDIR\); writing on/);
  });

  it('carries on appending to the live file after a restart', () => {
    openFileLog({ folder, maxBytes: 10_000, keep: 1 }).log('info', 'first run');
    const second = openFileLog({ folder, maxBytes: 10_000, keep: 1 });
    second.log('info', 'second run');
    second.close();
    assert.deepEqual(linesOf('agent.log').map((entry) => entry.message), ['first run', 'second run']);
  });

  it('never writes a secret: password, API key and X-API-Key header, wherever they appear', () => {
    const apiKey = 'sk_Abc123def456ghi789jkl012mno345pq';
    const file = openFileLog({ folder, maxBytes: 10_000, keep: 1, secrets: ['Sage-Pa55word'] });
    file.log('error', `nSetUser failed for web with Sage-Pa55word and key ${apiKey}`, {
      headers: { 'x-api-key': apiKey, 'X-Sage-Company': 'ABC', Authorization: 'Bearer abc' },
      sage: { user: 'web', password: 'Sage-Pa55word', homePath: 'C:\\Sage' },
      apiKeyHash: 'scrypt$salt$hash',
      echoed: `body said ${apiKey}`,
      cause: new Error('logon with Sage-Pa55word refused'),
    });
    file.close();
    const raw = readFileSync(join(folder, 'agent.log'), 'utf8');
    assert.ok(!raw.includes('Sage-Pa55word'));
    assert.ok(!raw.includes(apiKey));
    assert.ok(!raw.includes('Bearer abc'));
    const [entry] = linesOf('agent.log');
    assert.equal(entry!.message, `nSetUser failed for web with ${REDACTED} and key ${REDACTED}`);
    assert.deepEqual(entry!.headers, { 'x-api-key': REDACTED, 'X-Sage-Company': 'ABC', Authorization: REDACTED });
    assert.deepEqual(entry!.sage, { user: 'web', password: REDACTED, homePath: 'C:\\Sage' });
    assert.deepEqual(entry!.cause, { name: 'Error', message: `logon with ${REDACTED} refused` });
    assert.equal(entry!.echoed, `body said ${REDACTED}`);
  });

  it('leaves ordinary text alone and ignores secrets too short to mask safely', () => {
    const redact = makeRedactor(['abc']);
    assert.deepEqual(redact({ company: 'ABC', note: 'abc order', count: 3, list: ['x', null] }), { company: 'ABC', note: 'abc order', count: 3, list: ['x', null] });
  });
});

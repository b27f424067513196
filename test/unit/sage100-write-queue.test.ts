import assert from 'node:assert/strict';
import { serializeWrite } from '../../lib/sage100/write-queue';

describe('serializeWrite', () => {
  it('runs writes to one company one at a time, in order, even when one fails', async () => {
    const events: string[] = [];
    const write = (name: string, fail = false) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([
      serializeWrite('https://sage|ABC', write('a')),
      serializeWrite('https://sage|ABC', write('b', true)),
      serializeWrite('https://sage|ABC', write('c')),
    ]);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets writes to different companies overlap', async () => {
    const events: string[] = [];
    const write = (name: string) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${name}`);
    };
    await Promise.all([serializeWrite('s|ABC', write('abc')), serializeWrite('s|XYZ', write('xyz'))]);
    assert.deepEqual(events.slice(0, 2), ['start abc', 'start xyz']);
  });
});

import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { AlertDebouncer, summarize, type AlertSummary } from '../../lib/operator/alerts';
import { AUTH_FAILURES_BEFORE_ALERT, OperatorBoard, orderIdOf, type Attention, type QueueHandle } from '../../lib/operator/board';
import { reportTo } from '../../lib/operator/reports';
import { registerOperatorRoutes } from '../../lib/operator/routes';
import { ConnectorError } from '../../lib/errors';
import { WaitingOrderLedger } from '../../lib/sync/waiting-orders';

const words = { kind: (kind: string, count: number) => `${count} ${kind}`, subject: (count: number, parts: string) => `${count}: ${parts}` };

function attentions(board: OperatorBoard): Attention[] {
  const seen: Attention[] = [];
  board.on('attention', (item: Attention) => seen.push(item));
  return seen;
}

function fakeQueue(id: string): QueueHandle & { letters: Array<{ id: string; attempts: number; failure: { message: string }; queuedAt: string; deadAt: string; msg: Record<string, unknown> }>; notes: string[] } {
  const letters = [{ id: 'order:1042', attempts: 1, failure: { message: 'The Item Code X is not on file.' }, queuedAt: '2026-12-04T10:00:00Z', deadAt: '2026-12-04T10:00:01Z', msg: { resourceId: 1042 } }];
  const notes: string[] = [];
  const find = (which: string) => {
    const index = letters.findIndex((letter) => letter.id === which);
    if (index < 0) throw new ConnectorError(`no dead letter ${which}`, { code: 'queue.no_dead_letter' });
    return letters.splice(index, 1);
  };
  return {
    id,
    name: 'orders',
    letters,
    notes,
    counts: () => ({ running: 1, waiting: 2, dropped: 0, completed: 0, dead: letters.length }),
    deadLetters: async () => [...letters],
    redrive: async (which) => find(which).map((letter) => letter.id),
    discard: async (which, note) => {
      notes.push(note ?? '');
      return find(which);
    },
  };
}

/** A waiting-order ledger over memory, as the state files would hold it. */
function waitingLedger(store: string): WaitingOrderLedger {
  const saved = new Map<string, unknown>();
  return new WaitingOrderLedger({ read: async <T>(key: string) => saved.get(key) as T | undefined, write: async (key, value) => void saved.set(key, value) }, store);
}

describe('operator board', () => {
  it('names the web order of a msg or a job id', () => {
    assert.equal(orderIdOf({ orderId: 7 }), '7');
    assert.equal(orderIdOf({ resourceId: '1042' }), '1042');
    assert.equal(orderIdOf({}, 'order:55'), '55');
    assert.equal(orderIdOf({}, 'sync-job'), undefined);
  });

  it('shows queues with their dead letters, the last order per company, held orders and reports', async () => {
    const board = new OperatorBoard();
    board.addQueue(fakeQueue('q1'));
    board.orderImported('ABC', '1041', 'W001041');
    board.held({ orderId: '1043', kind: 'needs-attention', reason: 'the ship-to country is not served' });
    board.reconciled('3 orders checked: all match', 0);
    board.catalogPushed('300 items');
    board.polled('sandbox1', { modifiedSince: 'x' }, 4);
    const view = await board.snapshot();
    assert.deepEqual(view.queues[0]!.deadLetters, [{ id: 'order:1042', orderId: '1042', reason: 'The Item Code X is not on file.', attempts: 1, deadAt: '2026-12-04T10:00:01Z' }]);
    assert.equal(view.queues[0]!.running, 1);
    assert.equal(view.queues[0]!.waiting, 2);
    assert.equal(view.companies[0]!.lastOrder.salesOrderNo, 'W001041');
    assert.equal(view.held[0]!.orderId, '1043');
    assert.equal(view.lastReconciliation!.summary, '3 orders checked: all match');
    assert.equal(view.stores[0]!.lastPoll!.orders, 4);
    // The order went to Sage after all: it is no longer held.
    board.orderImported('ABC', '1043', 'W001043');
    assert.deepEqual((await board.snapshot()).held, []);
  });

  it('asks for a person on a dead letter, a held order that needs attention, and the third refused credential in a row', () => {
    const board = new OperatorBoard();
    const seen = attentions(board);
    board.deadLettered('orders', 'order:9', { orderId: 9 }, 'not on file');
    board.held({ orderId: '10', kind: 'wait', reason: 'awaiting payment' });
    board.held({ orderId: '11', kind: 'invalid', reason: 'no e-mail' });
    for (let i = 0; i < AUTH_FAILURES_BEFORE_ALERT - 1; i++) board.failed('sage100-sales-order create', 'sage100.Unauthorized', 'key refused');
    board.failed('sage100-sales-order create', 'http.timeout', 'timed out'); // not an auth failure: the count starts again
    for (let i = 0; i < AUTH_FAILURES_BEFORE_ALERT; i++) board.failed('sage100-sales-order create', 'sage100.Unauthorized', 'key refused');
    assert.deepEqual(seen.map((item) => [item.kind, item.orderId]), [['dead-letter', '9'], ['needs-attention', '11'], ['auth', undefined]]);
    assert.match(seen[0]!.text, /Web order 9/);
  });
});

describe('operator board: waiting orders', () => {
  it('shows per store the orders waiting at the status gate and the units they hold, from the ledgers', async () => {
    const sandbox = waitingLedger('sandbox1');
    const sandboxElsewhere = waitingLedger('sandbox1');
    const other = waitingLedger('other');
    const board = new OperatorBoard(() => [sandbox, sandboxElsewhere, other]);
    board.polled('Sandbox1', { modifiedSince: 'x' }, 4);
    await sandbox.note({ orderId: 7001, statusId: 7, lines: [['MUG-11OZ', 3], ['CAP', 1]] }, true);
    await sandbox.note({ orderId: 7002, statusId: 1, lines: [['MUG-11OZ', 2]] }, true);
    await sandbox.note({ orderId: 7003, statusId: 5, lines: [['MUG-11OZ', 9]] }, true);
    await sandboxElsewhere.note({ orderId: 8001, statusId: 7, lines: [['CAP', 4]] }, true);

    const view = await board.snapshot();
    assert.deepEqual(
      view.stores.map(({ storeHash, waiting }) => ({ storeHash, waiting })),
      [
        { storeHash: 'Sandbox1', waiting: { orders: 3, units: 10 } },
        { storeHash: 'other', waiting: { orders: 0, units: 0 } },
      ],
      'one row per store whatever the case of its hash; a cancelled order holds nothing',
    );

    // Paid: the mapper lets go of it.
    await sandbox.note({ orderId: 7001, statusId: 11, lines: [] }, false);
    assert.deepEqual((await board.snapshot()).stores[0]!.waiting, { orders: 2, units: 6 });
  });
});

describe('operator alerts', () => {
  const item = (kind: Attention['kind'], orderId?: string): Attention => ({ kind, text: `${kind} ${orderId ?? ''}`, at: '', ...(orderId && { orderId }) });

  it('summarizes by kind, naming each web order once', () => {
    const summary = summarize([item('dead-letter', '1'), item('dead-letter', '1'), item('auth')], words);
    assert.equal(summary.subject, '3: 2 dead-letter, 1 auth');
    assert.deepEqual(summary.orderIds, ['1']);
    assert.equal(summary.lines.length, 3);
  });

  it('sends one summary after a quiet spell, and at the latest after the longest wait', async () => {
    const sent: AlertSummary[] = [];
    const alerts = new AlertDebouncer({ quietMs: 40, maxWaitMs: 100, words }, (summary) => sent.push(summary));
    alerts.add(item('dead-letter', '1'));
    alerts.add(item('dead-letter', '2'));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.orderIds, ['1', '2']);
    // A steady trickle, never quiet for 40 ms: still sent by the 100 ms deadline.
    const started = Date.now();
    while (Date.now() - started < 160) {
      alerts.add(item('auth'));
      await new Promise((r) => setTimeout(r, 20));
    }
    alerts.close();
    assert.ok(sent.length >= 2, `summaries: ${sent.length}`);
  });
});

describe('operator reports from the alerts node input', () => {
  const push = { push: () => 'pushed' };

  it('takes held orders, caught validation errors about an order and push summaries; ignores the rest', async () => {
    const board = new OperatorBoard();
    assert.equal(reportTo(board, { hold: { orderId: 5, kind: 'needs-attention', reason: 'status gate', field: 'status_id' } }, push), 'held');
    assert.equal(reportTo(board, { orderId: 6, error: { message: 'web order 6: billing_address.email: required' }, errorDetails: { code: 'validation.invalid', field: 'billing_address.email' } }, push), 'invalid');
    assert.equal(reportTo(board, { orderId: 7, error: { message: 'timed out' }, errorDetails: { code: 'http.timeout' } }, push), 'ignored');
    assert.equal(reportTo(board, { payload: { items: 3, pushed: { stock: 3, price: 0 }, failed: { stock: 0, price: 0 } } }, push), 'catalog-push');
    assert.equal(reportTo(board, { payload: 'hello' }, push), 'ignored');
    const view = await board.snapshot();
    assert.deepEqual(view.held.map((hold) => [hold.orderId, hold.kind, hold.field]), [['5', 'needs-attention', 'status_id'], ['6', 'invalid', 'billing_address.email']]);
    assert.equal(view.lastCatalogPush!.summary, 'pushed');
  });
});

describe('operator routes', () => {
  function app(board: OperatorBoard) {
    const httpAdmin = express();
    httpAdmin.use(express.json());
    const permissions: string[] = [];
    const published: string[] = [];
    const routes = registerOperatorRoutes(
      {
        httpAdmin,
        auth: { needsPermission: (permission: string) => (permissions.push(permission), (_req: unknown, _res: unknown, next: () => void) => next()) },
        log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
        comms: { publish: (topic: string) => published.push(topic) },
      },
      board,
    );
    return { httpAdmin, permissions, published, routes };
  }

  it('reads with the read permission, retries and discards with the write permission, a note required', async () => {
    const board = new OperatorBoard();
    const queue = fakeQueue('q1');
    board.addQueue(queue);
    queue.letters.push({ ...queue.letters[0]!, id: 'order:1043', msg: { orderId: 1043 } });
    const { httpAdmin, permissions, published, routes } = app(board);
    assert.deepEqual(permissions, ['ml-connector-operator.read', 'ml-connector-operator.write']);
    const read = await request(httpAdmin).get('/ml-connector/operator').expect(200);
    assert.equal(read.body.queues[0].deadLetters.length, 2);

    await request(httpAdmin).post('/ml-connector/operator/queues/q1/dead-letters/order%3A1042/retry').type('form').send('x=1').expect(415);
    await request(httpAdmin).post('/ml-connector/operator/queues/q1/dead-letters/order%3A1042/retry').send({}).expect(200, { ok: true, retried: 1 });
    const again = await request(httpAdmin).post('/ml-connector/operator/queues/q1/dead-letters/order%3A1042/retry').send({}).expect(404);
    assert.doesNotMatch(JSON.stringify(again.body), /1042/, 'the answer does not echo the request');
    await request(httpAdmin).post('/ml-connector/operator/queues/q9/dead-letters/order%3A1043/retry').send({}).expect(404);

    await request(httpAdmin).post('/ml-connector/operator/queues/q1/dead-letters/order%3A1043/discard').send({ note: '  ' }).expect(400);
    await request(httpAdmin).post('/ml-connector/operator/queues/q1/dead-letters/order%3A1043/discard').send({ note: 'cancelled by phone' }).expect(200, { ok: true, discarded: 1 });
    assert.deepEqual(queue.notes, ['cancelled by phone']);

    board.queueChanged();
    board.queueChanged();
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual(published, ['ml-connector/operator'], 'changes close together make one refresh');
    routes.close();
  });

  it('answers the waiting orders of each store as JSON', async () => {
    const waiting = waitingLedger('sandbox1');
    await waiting.note({ orderId: 7001, statusId: 7, lines: [['MUG-11OZ', 3]] }, true);
    const { httpAdmin, routes } = app(new OperatorBoard(() => [waiting]));
    const read = await request(httpAdmin).get('/ml-connector/operator').expect('Content-Type', /json/).expect(200);
    assert.deepEqual(read.body.stores, [{ storeHash: 'sandbox1', waiting: { orders: 1, units: 3 } }]);
    routes.close();
  });
});

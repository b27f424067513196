// A stand-in for agent/bridge/host.ps1 where there is no Windows: the same JSON-lines protocol over a tiny fake
// ProvideX object model (one session, one customer business object with lines). Test hooks on the script object:
// `CrashHost` exits the process, `Hang` never answers, property `LiveHandles` counts held objects, `sTag` is writable.
// STAND_IN_PROTOCOL overrides the greeting's version; STAND_IN_BYREF=broken fails every by-reference call;
// STAND_IN_NOISE is printed before the greeting.
import { createInterface } from 'node:readline';

const DISP_E_UNKNOWNNAME = -2147352570;
const DISP_E_MEMBERNOTFOUND = -2147352573;
const DISP_E_EXCEPTION = -2147352567;

class ComFailure extends Error {
  constructor(message, hresult) {
    super(message);
    this.hresult = hresult;
  }
}

class FakeObject {
  lastError = '';
  properties = { sLastErrorMsg: () => this.lastError };
  fail(message) {
    this.lastError = message;
    return 0;
  }
  DropObject() {
    this.dropped = true;
  }
}

class FakeScript {
  homePath = '';
  properties = { LiveHandles: () => objects.size, sTag: () => this.writable.sTag };
  writable = { sTag: '' };
  Init(homePath) {
    this.homePath = homePath;
  }
  NewObject(className, session) {
    if (className === 'SY_Session') return new FakeSession();
    if (className !== 'AR_Customer_bus' || !(session instanceof FakeSession) || session.programId !== 100) {
      throw new ComFailure(`COM Error 90 in Method NEWOBJECT. Cannot create ${className}`, DISP_E_EXCEPTION);
    }
    return new FakeCustomers();
  }
  CrashHost() {
    process.stderr.write('pvxcom went away\n');
    process.exit(3);
  }
  Hang() {
    return new Promise(() => {});
  }
}

class FakeSession extends FakeObject {
  programId = 0;
  properties = { ...this.properties, sCompanyName: () => 'American Business Co', sVersion: () => 'Sage 100 Advanced 2024 (7.30)' };
  nLogon() {
    return 0;
  }
  nSetUser(user, password) {
    return user === 'web' && password === 'secret' ? 1 : this.fail('Invalid user or password');
  }
  nSetCompany(company) {
    if (company === 'ABC') return 1;
    if (company === 'XYZ') return this.fail('External access is not allowed for company XYZ');
    return this.fail(`Company ${company} does not exist`);
  }
  nSetModule() {
    return 1;
  }
  nSetDate() {
    return 1;
  }
  nLookupTask(task) {
    return task === 'AR_Customer_ui' ? 100 : 0;
  }
  nSetProgram(taskId) {
    this.programId = taskId;
    return taskId ? 1 : this.fail('Invalid program');
  }
  nCleanup() {
    return 1;
  }
}

const CUSTOMER_COLUMNS = ['ARDivisionNo$', 'CustomerNo$', 'CustomerName$', 'CreditLimit'];

class FakeCustomers extends FakeObject {
  records = new Map([['01ABC', { 'ARDivisionNo$': '01', 'CustomerNo$': 'ABC', 'CustomerName$': 'American Business Co   ', CreditLimit: 5000 }]]);
  key = {};
  current;
  lines = new FakeLines();
  properties = { ...this.properties, oLines: () => this.lines, nEOF: () => 1 };
  nSetKeyValue(column, value) {
    this.key[column] = value;
    return 1;
  }
  nSetKey() {
    const id = `${this.key['ARDivisionNo$'] ?? ''}${this.key['CustomerNo$'] ?? ''}`;
    const existing = this.records.get(id);
    this.current = { id, record: existing ? { ...existing } : { ...this.key } };
    return existing ? 1 : 2;
  }
  nSetValue(column, value) {
    if (!this.current) return this.fail('No record is loaded');
    if (!CUSTOMER_COLUMNS.includes(column)) return this.fail(`Column ${column} not found`);
    this.current.record[column] = value;
    return 1;
  }
  nGetValue(column, ref) {
    if (!this.current || !(column in this.current.record)) return this.fail(`Column ${column} not found`);
    ref.value = this.current.record[column];
    return 1;
  }
  nWrite() {
    if (!this.current) return this.fail('No record is loaded');
    this.records.set(this.current.id, this.current.record);
    return 1;
  }
  nGetColumnLength(column) {
    return { 'ARDivisionNo$': 2, 'CustomerNo$': 20, 'CustomerName$': 30 }[column] ?? 0;
  }
  sGetColumns() {
    return CUSTOMER_COLUMNS.join('\u0160');
  }
}

class FakeLines extends FakeObject {
  count = 0;
  nAddLine() {
    this.count += 1;
    return 1;
  }
}

const objects = new Map();
let nextHandle = 1;

function outgoing(value) {
  if (value instanceof FakeObject || value instanceof FakeScript) {
    const handle = nextHandle++;
    objects.set(handle, value);
    return { handle };
  }
  return value ?? null;
}

function target(handle) {
  const object = objects.get(handle);
  if (!object) throw new ComFailure(`unknown handle ${handle}`);
  return object;
}

function incoming(arg) {
  if (arg && typeof arg === 'object' && 'handle' in arg) return target(arg.handle);
  return arg;
}

async function handle(request) {
  switch (request.op) {
    case 'create':
      if (request.progId !== 'ProvideX.Script') throw new ComFailure('Invalid class string', -2147221005);
      return { value: outgoing(new FakeScript()), refs: [] };
    case 'release':
      target(request.handle);
      objects.delete(request.handle);
      return { value: null, refs: [] };
    case 'get': {
      const getter = target(request.handle).properties[request.member];
      if (!getter) throw new ComFailure('Member not found.', DISP_E_MEMBERNOTFOUND);
      return { value: outgoing(getter()), refs: [] };
    }
    case 'set': {
      const object = target(request.handle);
      if (!object.writable || !(request.member in object.writable)) throw new ComFailure('Member not found.', DISP_E_MEMBERNOTFOUND);
      object.writable[request.member] = incoming(request.args[0]);
      return { value: null, refs: [] };
    }
    case 'call': {
      const object = target(request.handle);
      const method = object[request.member];
      if (typeof method !== 'function') throw new ComFailure('Unknown name.', DISP_E_UNKNOWNNAME);
      const byRef = [];
      const args = request.args.map((arg, index) => {
        if (arg && typeof arg === 'object' && 'byRef' in arg) {
          const ref = { value: arg.byRef };
          byRef.push(ref);
          if (process.env.STAND_IN_BYREF === 'broken') throw Object.assign(new ComFailure('Type mismatch.', -2147352571), { byRef: true });
          return ref;
        }
        return incoming(arg, index);
      });
      const value = await method.apply(object, args);
      return { value: outgoing(value), refs: byRef.map((ref) => outgoing(ref.value)) };
    }
    default:
      throw new ComFailure(`unknown op ${request.op}`);
  }
}

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
if (process.env.STAND_IN_NOISE) process.stdout.write(`${process.env.STAND_IN_NOISE}\n`);
send({ ready: true, protocol: Number(process.env.STAND_IN_PROTOCOL ?? 1) });

// One request at a time, in order, as the PowerShell host runs them.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    let id = null;
    try {
      const request = JSON.parse(line);
      id = request.id;
      send({ id, ok: true, ...(await handle(request)) });
    } catch (error) {
      send({ id, ok: false, error: { message: error.message, hresult: error.hresult, ...(error.byRef && { byRef: true }) } });
    }
  });
});

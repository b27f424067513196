import type { BoiRef, BoiValue, BusinessObject, LinesObject, PvxScript, SySession } from '../boi/types';
import { BridgeClient, BridgeError, type BridgeClientOptions } from './client';
import { isHandleRef, type BridgeArg, type BridgeValue } from './protocol';

export const PVX_PROG_ID = 'ProvideX.Script';

/**
 * One BOI root over the COM bridge: a bridge host of its own holding one `ProvideX.Script`. The session pool calls
 * this once per pooled session, so a host that crashes takes down one session only, and the pool opens a new one.
 */
export async function openComRoot(options: BridgeClientOptions): Promise<PvxScript> {
  const client = await BridgeClient.start(options);
  try {
    const { value } = await client.create(PVX_PROG_ID);
    return new ComScript(client, handleOf(value, `create ${PVX_PROG_ID}`));
  } catch (error) {
    await client.close();
    throw error;
  }
}

function handleOf(value: BridgeValue, what: string): number {
  if (isHandleRef(value)) return value.handle;
  throw unexpected(what, 'a COM object', value);
}

function numberOf(value: BridgeValue, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw unexpected(what, 'a number', value);
}

function boiValueOf(value: BridgeValue, what: string): BoiValue {
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw unexpected(what, 'a string or a number', value);
}

function unexpected(what: string, expected: string, value: BridgeValue): BridgeError {
  const actual = value === null ? 'nothing' : isHandleRef(value) ? 'a COM object' : typeof value;
  return new BridgeError(`The COM call ${what} returned ${actual} where the agent expects ${expected}`, {
    code: 'bridge.unexpected_value', retryable: false, hint: 'The Sage version may differ from the object model the agent knows: report it with the Sage version.',
  });
}

/** Properties of the COM object model (`sLastErrorMsg`, `nEOF`, `oLines`) are read with `get`; the rest are calls. */
abstract class ComObject {
  constructor(protected readonly client: BridgeClient, readonly handle: number) {}

  protected async invokeNumber(member: string, ...args: BridgeArg[]): Promise<number> {
    const { value } = await this.client.call(this.handle, member, args);
    return numberOf(value, member);
  }

  protected async propertyValue(member: string): Promise<BridgeValue> {
    return (await this.client.get(this.handle, member)).value;
  }

  protected async propertyText(member: string): Promise<string> {
    const value = await this.propertyValue(member);
    return value === null ? '' : String(boiValueOf(value, member));
  }

  sLastErrorMsg(): Promise<string> {
    return this.propertyText('sLastErrorMsg');
  }

  async DropObject(): Promise<void> {
    await this.client.call(this.handle, 'DropObject');
    await this.client.release(this.handle);
  }
}

class ComScript implements PvxScript {
  constructor(private readonly client: BridgeClient, private readonly handle: number) {}

  async Init(homePath: string): Promise<void> {
    await this.client.call(this.handle, 'Init', [homePath]);
  }

  NewObject(className: 'SY_Session'): Promise<SySession>;
  NewObject(className: string, session: SySession): Promise<BusinessObject>;
  async NewObject(className: string, session?: SySession): Promise<SySession | BusinessObject> {
    if (session === undefined) {
      const { value } = await this.client.call(this.handle, 'NewObject', [className]);
      return new ComSession(this.client, handleOf(value, `NewObject ${className}`));
    }
    if (!(session instanceof ComSession)) throw new TypeError('NewObject needs a session opened through the same COM root');
    const { value } = await this.client.call(this.handle, 'NewObject', [className, { handle: session.handle }]);
    return new ComBusinessObject(this.client, handleOf(value, `NewObject ${className}`));
  }

  /** ProvideX.Script has no close of its own: releasing it and ending the host ends this client's hold on pvxcom. */
  async Close(): Promise<void> {
    if (this.client.alive) await this.client.release(this.handle).catch(() => undefined);
    await this.client.close();
  }
}

class ComSession extends ComObject implements SySession {
  nLogon(): Promise<number> { return this.invokeNumber('nLogon'); }
  nSetUser(user: string, password: string): Promise<number> { return this.invokeNumber('nSetUser', user, password); }
  nSetCompany(companyCode: string): Promise<number> { return this.invokeNumber('nSetCompany', companyCode); }
  nSetDate(module: string, date: string): Promise<number> { return this.invokeNumber('nSetDate', module, date); }
  nSetModule(module: string): Promise<number> { return this.invokeNumber('nSetModule', module); }
  nLookupTask(task: string): Promise<number> { return this.invokeNumber('nLookupTask', task); }
  nSetProgram(taskId: number): Promise<number> { return this.invokeNumber('nSetProgram', taskId); }
  nCleanup(): Promise<number> { return this.invokeNumber('nCleanup'); }
  /** For `health`. Read as properties, like `sLastErrorMsg`; their names on a live pvxcom are UNCONFIRMED. */
  sCompanyName(): Promise<string> { return this.propertyText('sCompanyName'); }
  sVersion(): Promise<string> { return this.propertyText('sVersion'); }
}

abstract class ComRecordSet extends ComObject {
  nSetValue(column: string, value: BoiValue): Promise<number> { return this.invokeNumber('nSetValue', column, value); }
  nWrite(): Promise<number> { return this.invokeNumber('nWrite'); }
  nMoveFirst(): Promise<number> { return this.invokeNumber('nMoveFirst'); }
  nMoveNext(): Promise<number> { return this.invokeNumber('nMoveNext'); }

  /** The initial value's type tells COM whether a string or a number is expected back. */
  async nGetValue(column: string, ref: BoiRef): Promise<number> {
    const { value, refs } = await this.client.call(this.handle, 'nGetValue', [column, { byRef: ref.value }]);
    if (refs.length !== 1) {
      throw new BridgeError(`The by-reference COM call nGetValue ${column} came back without its value`, {
        code: 'bridge.by_ref_failed', retryable: false,
        hint: 'By-reference arguments through Windows PowerShell are not yet confirmed against pvxcom: report this message with the Sage version.',
      });
    }
    ref.value = boiValueOf(refs[0] ?? null, `nGetValue ${column}`);
    return numberOf(value, 'nGetValue');
  }

  /** For `health`: the column's length in the data dictionary; the member's name on a live pvxcom is UNCONFIRMED. */
  nGetColumnLength(column: string): Promise<number> { return this.invokeNumber('nGetColumnLength', column); }

  async nEOF(): Promise<number> {
    return numberOf(await this.propertyValue('nEOF'), 'nEOF');
  }
}

class ComBusinessObject extends ComRecordSet implements BusinessObject {
  private lines?: ComLines;

  nSetKeyValue(column: string, value: BoiValue): Promise<number> { return this.invokeNumber('nSetKeyValue', column, value); }
  nSetKey(key?: string): Promise<number> { return this.invokeNumber('nSetKey', ...optional(key)); }
  nFind(key?: string): Promise<number> { return this.invokeNumber('nFind', ...optional(key)); }
  nDelete(key?: string): Promise<number> { return this.invokeNumber('nDelete', ...optional(key)); }
  nClear(): Promise<number> { return this.invokeNumber('nClear'); }
  nSetBrowseFilter(filter: string): Promise<number> { return this.invokeNumber('nSetBrowseFilter', filter); }

  async sGetColumns(table?: string): Promise<string> {
    const { value } = await this.client.call(this.handle, 'sGetColumns', optional(table));
    return value === null ? '' : String(boiValueOf(value, 'sGetColumns'));
  }

  async oLines(): Promise<LinesObject> {
    this.lines ??= new ComLines(this.client, handleOf(await this.propertyValue('oLines'), 'oLines'));
    return this.lines;
  }

  /** The lines object belongs to its document: Sage drops it with the document, the host only lets go of the handle. */
  override async DropObject(): Promise<void> {
    if (this.lines) await this.client.release(this.lines.handle);
    await super.DropObject();
  }
}

class ComLines extends ComRecordSet implements LinesObject {
  nAddLine(): Promise<number> { return this.invokeNumber('nAddLine'); }
  nDelete(): Promise<number> { return this.invokeNumber('nDelete'); }
}

function optional(value: string | undefined): BridgeArg[] {
  return value === undefined ? [] : [value];
}

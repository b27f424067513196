import type { BusinessObject, PvxScript, SySession } from '../boi/types';
import type { AgentLog } from '../runtime-options';
import { CODES, SageAnswerError } from './errors';
import type { BoiObjectName, SageLogicOptions } from './options';

/**
 * One BOI session for one company (../shared/docs/sage100-api.md §4.2): Init, SY_Session, logon, company, then
 * per business object its module, date and program before NewObject. Objects are made once and kept: creating
 * them is slow, and each holds files open until DropObject. `close` drops everything and frees the licence seat.
 */
export interface SessionSettings {
  openRoot: () => Promise<PvxScript>;
  homePath: string;
  user: string;
  password: string;
  companyCode: string;
  logic: SageLogicOptions;
  log: AgentLog;
}

export class BoiSession {
  readonly openedAt = Date.now();
  private readonly objects = new Map<string, BusinessObject>();

  private constructor(
    private readonly root: PvxScript,
    private readonly session: SySession,
    private readonly settings: SessionSettings,
  ) {}

  static async open(settings: SessionSettings): Promise<BoiSession> {
    const root = await settings.openRoot();
    try {
      await root.Init(settings.homePath);
      const session = await root.NewObject('SY_Session');
      const opened = new BoiSession(root, session, settings);
      // nLogon() uses the Windows logon when Sage is set up for it; otherwise the configured Sage user.
      if ((await session.nLogon()) === 0 && (await session.nSetUser(settings.user, settings.password)) === 0) {
        const reason = await session.sLastErrorMsg();
        await opened.close();
        throw new SageAnswerError(CODES.logonFailure, `Sage refused the logon of user ${settings.user}: ${reason}`, { status: 503, object: 'SY_Session' });
      }
      if ((await session.nSetCompany(settings.companyCode)) === 0) {
        const reason = await session.sLastErrorMsg();
        await opened.close();
        throw new SageAnswerError(CODES.unavailable, `Sage cannot open company ${settings.companyCode}: ${reason}`, { status: 503, object: 'SY_Session' });
      }
      return opened;
    } catch (err) {
      if (!(err instanceof SageAnswerError)) await root.Close().catch(() => undefined);
      throw err;
    }
  }

  /** The business object, made under its module, today's date and its task's program on first use. */
  async object(name: BoiObjectName): Promise<BusinessObject> {
    const known = this.objects.get(name.className);
    if (known) return known;
    const s = this.session;
    const failed = async (step: string) => new SageAnswerError(CODES.noAccess, `${step} for ${name.className} failed: ${await s.sLastErrorMsg()}`, { status: 503, object: name.className });
    if ((await s.nSetModule(name.module)) === 0) throw await failed(`nSetModule(${name.module})`);
    if ((await s.nSetDate(name.module, this.settings.logic.today())) === 0) throw await failed(`nSetDate(${name.module})`);
    const task = await s.nLookupTask(name.task);
    if (task === 0) {
      throw new SageAnswerError(CODES.noAccess, `Sage user ${this.settings.user} has no rights to ${name.task} (nLookupTask answered 0); grant the task in Role Maintenance.`, {
        status: 503,
        object: name.className,
      });
    }
    if ((await s.nSetProgram(task)) === 0) throw await failed(`nSetProgram(${name.task})`);
    const made = await this.root.NewObject(name.className, s);
    this.objects.set(name.className, made);
    return made;
  }

  async companyName(): Promise<string> {
    return (await this.session.sCompanyName()).trimEnd();
  }

  async sageVersion(): Promise<string> {
    return (await this.session.sVersion()).trimEnd();
  }

  /** Drops every object, cleans the session up and ends the script object; failures are logged, not thrown. */
  async close(): Promise<void> {
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (err) {
        this.settings.log('warn', 'BOI cleanup step failed', { company: this.settings.companyCode, step: what, error: (err as Error).message });
      }
    };
    for (const [className, made] of this.objects) await attempt(`${className}.DropObject`, () => made.DropObject());
    this.objects.clear();
    await attempt('nCleanup', () => this.session.nCleanup());
    await attempt('SY_Session.DropObject', () => this.session.DropObject());
    await attempt('Close', () => this.root.Close());
  }
}

/**
 * A small pool of sessions for one company (each may take a Sage user licence; default 1). A session whose use
 * threw anything but a Sage answer (a COM exception, a dead bridge) is closed and replaced; one older than
 * `recycleAfterMs` is closed when released. Writes take the company's write lock on top: BOI objects are not
 * thread-safe, and two writers to one company would race on Sage's own checks.
 */
export class SessionPool {
  private readonly idle: BoiSession[] = [];
  private opened = 0;
  private readonly waiting: Array<(session: BoiSession | Error) => void> = [];
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly settings: SessionSettings,
    private readonly size: number,
  ) {}

  /** Runs `work` with a session; writes also hold the company's write lock, so they run one at a time. */
  async use<T>(kind: 'read' | 'write', work: (session: BoiSession) => Promise<T>): Promise<T> {
    if (kind === 'read') return this.withSession(work);
    const run = this.writeChain.then(() => this.withSession(work));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private async withSession<T>(work: (session: BoiSession) => Promise<T>): Promise<T> {
    const session = await this.acquire();
    let broken = false;
    try {
      return await work(session);
    } catch (err) {
      if (err instanceof SageAnswerError) throw err;
      broken = true;
      this.settings.log('error', 'BOI call failed; the session is closed and replaced', { company: this.settings.companyCode, error: (err as Error).message });
      throw new SageAnswerError(CODES.exception, 'Sage raised an exception; the agent dropped that session. For a write the outcome is unknown: read before trying again.', {
        status: 500,
      });
    } finally {
      await this.release(session, broken);
    }
  }

  private async acquire(): Promise<BoiSession> {
    if (this.closed) throw new SageAnswerError(CODES.unavailable, 'The agent is shutting down.', { status: 503 });
    const ready = this.idle.pop();
    if (ready) return ready;
    if (this.opened < this.size) {
      this.opened += 1;
      try {
        return await BoiSession.open(this.settings);
      } catch (err) {
        this.opened -= 1;
        if (err instanceof SageAnswerError) throw err;
        this.settings.log('error', 'BOI session could not be opened', { company: this.settings.companyCode, error: (err as Error).message });
        throw new SageAnswerError(CODES.unavailable, `The agent cannot open a Sage session for company ${this.settings.companyCode} (${(err as Error).message}).`, { status: 503 });
      }
    }
    return new Promise<BoiSession>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(handOver);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new SageAnswerError(CODES.unavailable, `Every Sage session of company ${this.settings.companyCode} is busy; try again shortly.`, { status: 503 }));
      }, this.settings.logic.acquireTimeoutMs);
      const handOver = (session: BoiSession | Error) => {
        clearTimeout(timer);
        if (session instanceof Error) reject(session);
        else resolve(session);
      };
      this.waiting.push(handOver);
    });
  }

  private async release(session: BoiSession, broken: boolean): Promise<void> {
    const expired = Date.now() - session.openedAt > this.settings.logic.recycleAfterMs;
    if (broken || expired || this.closed) {
      this.opened -= 1;
      await session.close();
      const next = this.waiting.shift();
      if (next) {
        this.acquire().then(next, (err: Error) => next(err));
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) next(session);
    else this.idle.push(session);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const next of this.waiting.splice(0)) next(new SageAnswerError(CODES.unavailable, 'The agent is shutting down.', { status: 503 }));
    await Promise.all(this.idle.splice(0).map((session) => session.close()));
  }
}

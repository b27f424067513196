import type { PvxScript, SySession } from '../boi/types';
import { BridgeError } from '../bridge/client';
import type { AgentConfig } from '../config/schema';
import type { CertificateFacts } from './certificate';

/**
 * `doctor`: everything the agent needs from the machine and from Sage, each answered by one sentence a person at
 * the Sage server can act on. The checks are pure functions of what the probes found; `runDoctor` walks the BOI
 * session sequence (sage100-api.md §4.2) far enough to prove logon, company access and module rights.
 */
export type FindingStatus = 'ok' | 'warn' | 'fail';
export interface Finding {
  status: FindingStatus;
  sentence: string;
}

export interface DoctorProbes {
  pathExists(path: string): boolean;
  /** The bridge's PowerShell script, as `run` would start it. */
  bridgeHostScript: string;
  /** The certificate and key as found on disk, or the reason they could not be read. */
  certificate(): CertificateFacts | Error;
  revealPassword(): Promise<string>;
  openRoot(): Promise<PvxScript>;
  now: Date;
}

/** The `…_ui` tasks whose rights the agent's work needs (sage100-api.md §4.5), per module. */
export const REQUIRED_TASKS = [
  { module: 'S/O', task: 'SO_SalesOrder_ui', label: 'Sales Order Entry' },
  { module: 'A/R', task: 'AR_Customer_ui', label: 'Customer Maintenance' },
  { module: 'C/I', task: 'CI_ItemCode_ui', label: 'Item Maintenance' },
] as const;

const CERT_WARN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const HRESULT = {
  classNotRegistered: -2147221164,
  invalidClassString: -2147221005,
  serverExecFailure: -2146959355,
  accessDenied: -2147024891,
};

const ok = (sentence: string): Finding => ({ status: 'ok', sentence });
const warn = (sentence: string): Finding => ({ status: 'warn', sentence });
const fail = (sentence: string): Finding => ({ status: 'fail', sentence });

export function checkHomePath(homePath: string, exists: boolean): Finding {
  return exists
    ? ok(`The Sage folder ${homePath} exists.`)
    : fail(`The Sage folder ${homePath} does not exist or this account cannot read it: sage.homePath must be the MAS90\\Home folder (a UNC path needs the service to run as a Windows user with rights to the share).`);
}

export function checkBridgeScript(path: string, exists: boolean): Finding {
  return exists
    ? ok(`The COM bridge script ${path} is in place.`)
    : fail(`The COM bridge script ${path} is missing: unzip the agent package again (bridge\\host.ps1 belongs beside sage100-agent.cjs), or correct bridge.hostScript.`);
}

export function checkCertificate(found: CertificateFacts | Error, now: Date): Finding[] {
  if (found instanceof Error) return [fail(`The TLS certificate or key cannot be read (${found.message}): run "sage100-agent renew-cert".`)];
  const findings: Finding[] = [];
  const daysLeft = Math.floor((found.notAfter.getTime() - now.getTime()) / DAY_MS);
  const until = found.notAfter.toISOString().slice(0, 10);
  if (daysLeft < 0) findings.push(fail(`The TLS certificate expired on ${until}: run "sage100-agent renew-cert" and pin the new fingerprint in Node-RED.`));
  else if (daysLeft < CERT_WARN_DAYS) findings.push(warn(`The TLS certificate expires on ${until}, in ${daysLeft} days: run "sage100-agent renew-cert" soon.`));
  else findings.push(ok(`The TLS certificate is valid until ${until} (SHA-256 ${found.fingerprint256}).`));
  findings.push(found.keyMatches
    ? ok('The TLS key belongs to the certificate.')
    : fail('The TLS key file does not belong to the certificate file: run "sage100-agent renew-cert" to make a matching pair.'));
  return findings;
}

/** Why `ProvideX.Script` could not be created through the bridge, in terms of what to do on this machine. */
export function explainBoiUnreachable(error: unknown): Finding {
  const message = error instanceof Error ? error.message : String(error);
  const hresult = error instanceof BridgeError ? error.hresult : undefined;
  if (hresult === HRESULT.classNotRegistered || hresult === HRESULT.invalidClassString) {
    return fail('ProvideX.Script is not registered on this machine: the agent must run where Sage 100 is installed (server or workstation setup).');
  }
  if (hresult === HRESULT.serverExecFailure) {
    return fail('pvxcom.exe (ProvideX.Script) would not start: try the 32-bit Windows PowerShell as bridge.command (C:\\Windows\\SysWOW64\\WindowsPowerShell\\v1.0\\powershell.exe).');
  }
  if (hresult === HRESULT.accessDenied) {
    return fail('Windows denied this account access to ProvideX.Script: run the agent as a user allowed to start Sage 100, or check DCOM permissions for pvxcom.');
  }
  if (error instanceof BridgeError && (error.code === 'bridge.host_exited' || error.code === 'bridge.start_timeout')) {
    return fail(`The COM bridge (Windows PowerShell running host.ps1) did not run: ${message}`);
  }
  return fail(`The Sage Business Object Interface cannot be reached: ${message}`);
}

export function checkLogon(result: number, lastError: string, user: string): Finding {
  return result === 0
    ? fail(`Sage refused the logon of user ${user}: ${lastError || 'no reason given'}. Check the user and password (run init again to change them).`)
    : ok(`Sage accepted the logon of user ${user}.`);
}

/** The exact text Sage gives when Allow External Access is off is UNCONFIRMED; any mention of external access counts. */
export function checkCompany(result: number, lastError: string, company: string): Finding {
  if (result !== 0) return ok(`Company ${company} opens through BOI.`);
  if (/external access/i.test(lastError)) {
    return fail(`Company ${company} refuses outside programs: turn on "Allow External Access" in Company Maintenance, Preferences tab (Sage said: ${lastError}).`);
  }
  return fail(`Company ${company} cannot be opened: ${lastError || 'no reason given'}. Check the company code, and that "Allow External Access" is on in Company Maintenance.`);
}

export function checkTaskRights(taskId: number, task: (typeof REQUIRED_TASKS)[number], company: string, user: string): Finding {
  return taskId === 0
    ? fail(`User ${user} has no rights to ${task.label} (${task.task}, module ${task.module}) in company ${company}: grant them in Role Maintenance, or the module is not installed.`)
    : ok(`User ${user} may use ${task.label} in company ${company}.`);
}

export async function runDoctor(config: AgentConfig, probes: DoctorProbes): Promise<Finding[]> {
  const findings = [
    checkHomePath(config.sage.homePath, probes.pathExists(config.sage.homePath)),
    checkBridgeScript(probes.bridgeHostScript, probes.pathExists(probes.bridgeHostScript)),
    ...checkCertificate(probes.certificate(), probes.now),
  ];
  let password: string;
  try {
    password = await probes.revealPassword();
  } catch (error) {
    return [...findings, fail(`The Sage password cannot be read from the config: ${(error as Error).message}.`)];
  }
  let root: PvxScript;
  try {
    root = await probes.openRoot();
  } catch (error) {
    return [...findings, explainBoiUnreachable(error)];
  }
  let session: SySession | undefined;
  try {
    await root.Init(config.sage.homePath);
    session = await root.NewObject('SY_Session');
    findings.push(ok('The Sage Business Object Interface answers (ProvideX.Script, SY_Session).'));
    const logon = checkLogon(await session.nSetUser(config.sage.user, password), await session.sLastErrorMsg(), config.sage.user);
    findings.push(logon);
    if (logon.status === 'fail') return findings;
    for (const company of config.sage.companies) {
      const opened = checkCompany(await session.nSetCompany(company), await session.sLastErrorMsg(), company);
      findings.push(opened);
      if (opened.status === 'fail') continue;
      for (const task of REQUIRED_TASKS) {
        await session.nSetModule(task.module);
        findings.push(checkTaskRights(await session.nLookupTask(task.task), task, company, config.sage.user));
      }
    }
  } catch (error) {
    findings.push(session ? fail(`A Sage call failed during the checks: ${(error as Error).message}`) : explainBoiUnreachable(error));
  } finally {
    await session?.nCleanup().catch(() => 0);
    await session?.DropObject().catch(() => undefined);
    await root.Close().catch(() => undefined);
  }
  return findings;
}

export function formatFinding(finding: Finding): string {
  return `${{ ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]' }[finding.status]} ${finding.sentence}`;
}

import { spawn } from 'node:child_process';
import { ConnectorError } from '../../../lib/errors';
import type { PasswordRef } from './schema';

/** Turns the Sage password into what the config file keeps, and back. Injected so the CLI is testable off Windows. */
export interface SecretProtector {
  protect(plain: string): Promise<PasswordRef>;
  reveal(ref: PasswordRef): Promise<string>;
}

/** Runs a Windows PowerShell script with text on its stdin and answers its stdout. */
export type PowerShellRunner = (script: string, stdin: string) => Promise<string>;

export const ALLOW_PLAINTEXT_ENV = 'SAGE100_AGENT_ALLOW_PLAINTEXT_PASSWORD';

/**
 * DPAPI in the machine scope: the blob opens on this machine only, for any account — the service may run as
 * LocalSystem or a dedicated user, not the administrator who ran `init`. The config file's folder permissions
 * decide who can read it. The password crosses to PowerShell as base64 on stdin: never on a command line (visible
 * to other processes), and base64 because the console code page would mangle non-ASCII characters.
 */
const ENTROPY = 'ml-connector sage100-agent';
const PROTECT = `Add-Type -AssemblyName System.Security
$bytes = [Convert]::FromBase64String([Console]::In.ReadToEnd().Trim())
$blob = [Security.Cryptography.ProtectedData]::Protect($bytes, [Text.Encoding]::UTF8.GetBytes('${ENTROPY}'), 'LocalMachine')
[Console]::Out.Write([Convert]::ToBase64String($blob))`;
const UNPROTECT = `Add-Type -AssemblyName System.Security
$blob = [Convert]::FromBase64String([Console]::In.ReadToEnd().Trim())
$bytes = [Security.Cryptography.ProtectedData]::Unprotect($blob, [Text.Encoding]::UTF8.GetBytes('${ENTROPY}'), 'LocalMachine')
[Console]::Out.Write([Convert]::ToBase64String($bytes))`;

export function dpapiProtector(run: PowerShellRunner, env: NodeJS.ProcessEnv = process.env): SecretProtector {
  return {
    async protect(plain) {
      const blob = (await run(PROTECT, Buffer.from(plain, 'utf8').toString('base64'))).trim();
      if (!/^[A-Za-z0-9+/]+=*$/.test(blob)) throw dpapiFailure('encrypt');
      return { scheme: 'dpapi', blob };
    },
    reveal: (ref) => revealWith(ref, async (blob) => {
      const plain = (await run(UNPROTECT, blob)).trim();
      if (!/^[A-Za-z0-9+/]*=*$/.test(plain)) throw dpapiFailure('decrypt');
      return Buffer.from(plain, 'base64').toString('utf8');
    }, env),
  };
}

/**
 * Off Windows there is no DPAPI: for development only, the password is kept as it is — and only when the
 * person says so with SAGE100_AGENT_ALLOW_PLAINTEXT_PASSWORD=1.
 */
export function plaintextProtector(env: NodeJS.ProcessEnv): SecretProtector {
  const allowed = (): void => {
    if (env[ALLOW_PLAINTEXT_ENV] !== '1') {
      throw new ConnectorError('Without Windows DPAPI the Sage password would be kept in plain text, which the agent refuses', {
        code: 'agent.password_plaintext_refused', field: 'sage.password',
        hint: `Run the agent on Windows, use {"scheme":"env"}, or for development set ${ALLOW_PLAINTEXT_ENV}=1.`,
      });
    }
  };
  return {
    async protect(plain) {
      allowed();
      return { scheme: 'plain', value: plain };
    },
    reveal: (ref) => revealWith(ref, async () => {
      throw new ConnectorError('The Sage password is DPAPI-encrypted, which only Windows can open', {
        code: 'agent.password_dpapi_elsewhere', field: 'sage.password', hint: 'Run the agent on the Windows machine where init ran.',
      });
    }, env, allowed),
  };
}

/** The protector for this platform: DPAPI through Windows PowerShell on Windows, the guarded plain one elsewhere. */
export function platformProtector(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): SecretProtector {
  return platform === 'win32' ? dpapiProtector((script, stdin) => runWindowsPowerShell(script, stdin), env) : plaintextProtector(env);
}

async function revealWith(ref: PasswordRef, openDpapi: (blob: string) => Promise<string>, env: NodeJS.ProcessEnv, allowPlain?: () => void): Promise<string> {
  switch (ref.scheme) {
    case 'dpapi':
      return openDpapi(ref.blob);
    case 'env': {
      const value = env[ref.name];
      if (value === undefined) {
        throw new ConnectorError(`The Sage password's environment variable ${ref.name} is not set`, {
          code: 'agent.password_env_missing', field: 'sage.password.name', hint: 'Set it for the service account, or run init again to store the password with DPAPI.',
        });
      }
      return value;
    }
    case 'plain':
      if (!allowPlain) {
        throw new ConnectorError('The config keeps the Sage password in plain text, which the agent refuses on Windows', {
          code: 'agent.password_plaintext_refused', field: 'sage.password', hint: 'Run "sage100-agent init" again to store it with DPAPI.',
        });
      }
      allowPlain();
      return ref.value;
  }
}

function dpapiFailure(what: 'encrypt' | 'decrypt'): ConnectorError {
  return new ConnectorError(`Windows DPAPI could not ${what} the Sage password`, {
    code: 'agent.password_dpapi_failed', field: 'sage.password',
    hint: what === 'decrypt' ? 'The config was written on another machine: run "sage100-agent init" again here.' : 'Run init from an elevated Windows PowerShell prompt.',
  });
}

/** Windows PowerShell 5.1 with the script passed encoded (no quoting issues) and the data on stdin. */
export function runWindowsPowerShell(script: string, stdin: string, command = 'powershell.exe'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['-NoProfile', '-NonInteractive', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')], { windowsHide: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new ConnectorError(`Windows PowerShell failed (exit ${code}): ${err.trim().split(/\r?\n/)[0] ?? ''}`, { code: 'agent.powershell_failed' }));
    });
    child.stdin.end(stdin);
  });
}

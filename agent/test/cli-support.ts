import { openComRoot } from '../src/bridge/com-root';
import type { CliContext } from '../src/cli/context';
import type { AgentConfigInput } from '../src/config/schema';
import { ALLOW_PLAINTEXT_ENV, plaintextProtector } from '../src/config/secret';

export function sampleConfig(overrides: Partial<AgentConfigInput> = {}): AgentConfigInput {
  return {
    version: 1,
    listen: { host: '0.0.0.0', port: 8443 },
    tls: { certFile: 'agent-cert.pem', keyFile: 'agent-key.pem' },
    apiKeyHash: 'scrypt$c2FsdA$aGFzaA',
    sage: { homePath: 'C:\\Sage\\MAS90\\Home', user: 'web', password: { scheme: 'dpapi', blob: 'AQAAANCMnd8=' }, companies: ['ABC'], poolSize: 1 },
    ...overrides,
  };
}

/** A CLI context for tests: answers recorded, prompts from a script, no Windows, no server unless given. */
export interface TestConsole {
  out: string[];
  err: string[];
  asked: Array<{ question: string; secret: boolean }>;
  executed: Array<{ command: string; args: string[] }>;
}

export function testContext(overrides: Partial<CliContext> & { answers?: string[]; agentDir: string }): { ctx: CliContext; console: TestConsole } {
  const console: TestConsole = { out: [], err: [], asked: [], executed: [] };
  const answers = [...(overrides.answers ?? [])];
  const ctx: CliContext = {
    io: {
      out: (line) => console.out.push(line),
      err: (line) => console.err.push(line),
      ask: async (question, { secret, flag }) => {
        console.asked.push({ question, secret: secret === true });
        const answer = answers.shift();
        if (answer === undefined) throw new Error(`${flag} is needed`);
        return answer;
      },
    },
    platform: 'linux',
    env: {},
    version: '0.1.0-test',
    protector: plaintextProtector({ [ALLOW_PLAINTEXT_ENV]: '1' }),
    startAgent: async () => { throw new Error('no server in this test'); },
    openRoot: openComRoot,
    execute: async (command, args) => {
      console.executed.push({ command, args });
      return { code: 0, output: '' };
    },
    waitForStop: async () => undefined,
    hostname: 'SAGE-SRV',
    addresses: ['192.168.1.10'],
    now: () => new Date('2026-12-04T12:00:00Z'),
    ...overrides,
  };
  return { ctx, console };
}

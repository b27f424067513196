import type { AgentConfigInput } from '../src/config/schema';

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

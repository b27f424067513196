import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The chaos run's credentials, made unmistakable (a fixed word plus fresh random hex) so finding one anywhere
 * it should not be is proof of a leak, and the scanner that looks for them in everything the runtime shows.
 */

export interface ChaosSecrets {
  accessToken: string;
  clientSecret: string;
  sageApiKey: string;
  sagePassword: string;
}

export function chaosSecrets(): ChaosSecrets {
  const fresh = (word: string) => `${word}-${randomBytes(12).toString('hex')}`;
  return {
    accessToken: fresh('chaos-bc-token'),
    clientSecret: fresh('chaos-bc-client-secret'),
    sageApiKey: fresh('chaos-sage-agent-key'),
    sagePassword: fresh('chaos-sage-password'),
  };
}

export interface Leak {
  /** Where it was found, e.g. `node-red log` or `debug "order errors"`. */
  source: string;
  secret: keyof ChaosSecrets;
  /** A few characters around the find, with the secret itself masked, for the report. */
  context: string;
}

/**
 * Counts secrets in text as it is produced, so nothing has to be kept. Each secret is also looked for in
 * base64 (the webhook library is handed the client secret that way), so an encoded leak counts too.
 */
export class LeakScanner {
  readonly leaks: Leak[] = [];
  /** Characters looked at, per source. */
  readonly scanned = new Map<string, number>();
  private readonly needles: Array<{ secret: keyof ChaosSecrets; text: string }>;

  constructor(secrets: ChaosSecrets) {
    this.needles = (Object.keys(secrets) as Array<keyof ChaosSecrets>).flatMap((secret) => [
      { secret, text: secrets[secret] },
      { secret, text: Buffer.from(secrets[secret], 'utf8').toString('base64') },
    ]);
  }

  scan(source: string, text: string): void {
    this.scanned.set(source, (this.scanned.get(source) ?? 0) + text.length);
    for (const needle of this.needles) {
      for (let at = text.indexOf(needle.text); at >= 0; at = text.indexOf(needle.text, at + needle.text.length)) {
        this.leaks.push({ source, secret: needle.secret, context: this.contextOf(text, at, needle.text.length) });
      }
    }
  }

  /** The text around a find with every secret in it masked, so a report of a leak does not leak. */
  private contextOf(text: string, at: number, length: number): string {
    const margin = 200;
    const before = this.mask(text.slice(Math.max(0, at - margin), at)).slice(-60);
    const after = this.mask(text.slice(at + length, at + length + margin)).slice(0, 60);
    return `${before}<secret>${after}`;
  }

  private mask(text: string): string {
    return this.needles.reduce((masked, needle) => masked.split(needle.text).join(`<${needle.secret}>`), text);
  }

  /** Every file below `dir` (Node-RED's user directory: flows, credentials, node state), node_modules left out. */
  scanDirectory(dir: string, label: string): void {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules') continue;
      const path = join(dir, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) this.scanDirectory(path, `${label}/${entry}`);
      else if (stat.isFile()) this.scan(`${label}/${entry}`, readFileSync(path, 'latin1'));
    }
  }

  get totalScanned(): number {
    let total = 0;
    for (const count of this.scanned.values()) total += count;
    return total;
  }
}

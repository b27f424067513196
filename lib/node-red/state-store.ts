import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Small JSON documents that must survive a Node-RED restart (poll cursors, the last pushed stock snapshot).
 * Node-RED's context store is in memory unless the user configures otherwise, so the package keeps these
 * files itself under the user directory. Writes go to a temporary file and are renamed into place, so a
 * crash never leaves half a cursor behind.
 */
export class JsonStateStore {
  constructor(readonly directory: string) {}

  private fileFor(key: string): string {
    return join(this.directory, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }

  async read<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.fileFor(key), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async write(key: string, value: unknown): Promise<void> {
    // Owner only: queued jobs hold orders (names, addresses), cursors say what the store sold.
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const file = this.fileFor(key);
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    // Owner only: the files name orders, customers and Sage numbers.
    await writeFile(temporary, JSON.stringify(value), { mode: 0o600 });
    await rename(temporary, file);
  }
}

export function stateStoreFor(settings: { userDir?: string }): JsonStateStore {
  return new JsonStateStore(join(settings.userDir ?? tmpdir(), 'ml-connector-state'));
}

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentLog } from '../runtime-options';
import { makeRedactor } from './redact';

export interface FileLogOptions {
  folder: string;
  /** The live file; rotated ones get `.1` (newest) … `.<keep>` (oldest). */
  fileName?: string;
  maxBytes: number;
  /** Rotated files kept besides the live one. */
  keep: number;
  /** Values masked wherever they appear (the Sage password). */
  secrets?: string[];
  /** Also write each line here (the console, when running in the foreground). */
  echo?: (line: string) => void;
  now?: () => Date;
}

export interface FileLog {
  log: AgentLog;
  close(): void;
}

/**
 * The agent's log: one JSON object per line, size-rotated. Writes are synchronous so the line explaining a crash
 * is on disk before the process goes; the agent logs per request, not per COM call, so this costs little.
 */
export function openFileLog(options: FileLogOptions): FileLog {
  const path = join(options.folder, options.fileName ?? 'agent.log');
  const redact = makeRedactor(options.secrets);
  const now = options.now ?? (() => new Date());
  mkdirSync(options.folder, { recursive: true });
  let fd = openSync(path, 'a');
  let size = fstatSync(fd).size;

  /**
   * On Windows a file another program holds open without delete sharing cannot be renamed: then the live file grows
   * on, and rotation is tried again after another `maxBytes`. Logging never fails a request.
   */
  const rotate = (): void => {
    closeSync(fd);
    try {
      rmSync(`${path}.${options.keep}`, { force: true });
      for (let index = options.keep - 1; index >= 1; index--) {
        if (existsSync(`${path}.${index}`)) renameSync(`${path}.${index}`, `${path}.${index + 1}`);
      }
      if (options.keep > 0) renameSync(path, `${path}.1`);
      else rmSync(path, { force: true });
    } catch (error) {
      process.stderr.write(`agent log: rotation of ${path} failed (${(error as NodeJS.ErrnoException).code ?? 'error'}); writing on\n`);
    }
    fd = openSync(path, 'a');
    size = 0;
  };

  const log: AgentLog = (level, message, fields) => {
    const entry = { time: now().toISOString(), level, message: redact.text(message), ...(fields && (redact(fields) as object)) };
    const line = `${JSON.stringify(entry)}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      if (size > 0 && size + bytes > options.maxBytes) rotate();
      writeSync(fd, line);
      size += bytes;
    } catch {
      process.stderr.write(line);
    }
    options.echo?.(line);
  };

  return { log, close: () => closeSync(fd) };
}

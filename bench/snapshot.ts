import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnapshotDocument } from '../lib/sync/push-plan';

/**
 * snapshot.rss_mb_*: the peak resident memory of a process that diffs `skus` Sage items against the snapshot the
 * push node saved last time (1 % of them changed). The snapshot file is written here, the diff runs in
 * bench/snapshot-memory.mjs, so nothing else this process holds is counted.
 */

export interface SnapshotResult {
  skus: number;
  changed: number;
  /** Resident memory with the items built, before the diff. */
  beforeMb: number;
  peakMb: number;
}

/** The values bench/snapshot-memory.mjs gives item `index`, as the push node would have saved them. */
function savedSnapshot(skus: number): SnapshotDocument {
  const doc: SnapshotDocument = { version: 2, target: 'benchsnapshot#location-1', skus: [], stock: [], price: [] };
  for (let index = 0; index < skus; index++) {
    const available = Math.max(0, (index % 500) - (index % 7) + (index % 50));
    doc.skus.push(`SKU-${String(index).padStart(6, '0')}`);
    doc.stock.push(index % 100 === 0 ? available + 1 : available);
    doc.price.push(Math.round((5 + (index % 1000) / 10) * 10_000) / 10_000);
  }
  return doc;
}

export async function benchSnapshot(skus: number): Promise<SnapshotResult> {
  const directory = mkdtempSync(join(tmpdir(), 'ml-connector-bench-snapshot-'));
  try {
    const file = join(directory, 'snapshot.json');
    writeFileSync(file, JSON.stringify(savedSnapshot(skus)));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--expose-gc', join(__dirname, 'snapshot-memory.mjs'), file, String(skus)], { timeout: 120_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`bench: the snapshot child failed: ${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    return JSON.parse(output) as SnapshotResult;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

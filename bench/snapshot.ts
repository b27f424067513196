import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PushSnapshot, SortedSkus, type SnapshotDocument } from '../lib/sync/push-plan';

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

/** The values bench/snapshot-memory.mjs gives item `index`, as the push node would have saved them (its current form). */
function savedSnapshot(skus: number): SnapshotDocument {
  const codes: string[] = [];
  const stock = new Float64Array(skus);
  const price = new Float64Array(skus);
  for (let index = 0; index < skus; index++) {
    const available = Math.max(0, (index % 500) - (index % 7) + (index % 50));
    codes.push(`SKU-${String(index).padStart(6, '0')}`);
    stock[index] = index % 100 === 0 ? available + 1 : available;
    price[index] = Math.round((5 + (index % 1000) / 10) * 10_000) / 10_000;
  }
  return new PushSnapshot('benchsnapshot#location-1', SortedSkus.of(codes), stock, price).toDocument();
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

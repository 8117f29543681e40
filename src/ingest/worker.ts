/**
 * Worker-thread entry (piscina): processes one fixed shard. Adapter state (label maps, URL maps)
 * is built once per thread and reused across tasks.
 */
import { getAdapter } from './registry.js';
import { resolveIngestOptions } from './run.js';
import { runShardTask, type ShardTask } from './shard.js';
import type { IngestOptions, IngestShardStats } from './types.js';

const states = new Map<string, unknown>();

export default async function runIngestShard(msg: { task: ShardTask; options: IngestOptions }): Promise<IngestShardStats[]> {
  const o = resolveIngestOptions(msg.options);
  const adapter = getAdapter(o.adapter);
  const key = JSON.stringify([o.adapter, o.mapping, o.images]);
  if (!states.has(key)) states.set(key, adapter.init ? await adapter.init(o) : null);
  return runShardTask(msg.task, o, adapter, states.get(key));
}

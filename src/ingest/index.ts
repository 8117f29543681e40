// Public API of src/ingest: raw datasets → unified chat JSONL shards.
export { ingest, resolveIngestOptions } from './run.js';
export { INGEST_PRESETS, applyPreset as applyIngestPreset, type IngestPreset } from './presets.js';
export { INGEST_ADAPTERS } from './registry.js';
export {
  INGEST_COMPAT_SWITCHES,
  type IngestAdapterName,
  type IngestCompatSwitch,
  type IngestEnvelope,
  type IngestJsonStyle,
  type IngestOptions,
  type IngestRole,
  type IngestShardStats,
  type IngestSummary,
} from './types.js';
export { parseShardSize as parseIngestShardSize, outputBase as ingestOutputBase, shardPath as ingestShardPath } from './output.js';

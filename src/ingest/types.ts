/**
 * Option and record types shared by every ingest adapter. `IngestOptions` is the single source of
 * truth for the CLI flags (src/cli/ingest.ts) and the docs (docs/commands/ingest.md).
 */
import type { ProgressFn } from '../progress.js';

export type IngestAdapterName = 'llava' | 'webdataset' | 'imagenet' | 'text' | 'interleaved' | 'chat' | 'qa' | 'table';
export type IngestRole = 'system' | 'user' | 'assistant';
/** E1 `{id, conversations}`, E2 bare array of messages, E3 one message object (spec A.1). */
export type IngestEnvelope = 'conversations' | 'messages-array' | 'single-message';
/** compact = JSON.stringify; python = json.dumps defaults; ujson = compact, ASCII, `\/` escaped. */
export type IngestJsonStyle = 'compact' | 'python' | 'ujson';

/** Named switches that restore reference behaviour (`--compat <name>`; `reference` = all). */
export const INGEST_COMPAT_SWITCHES = {
  'jpeg-mime': 'label every image data URL image/jpeg whatever its real type (reference src/data/utils.py)',
  'json-style': "write the reference script's JSON flavour (python json.dumps or ujson, per preset)",
  'mapping-two-tokens': 'ImageNet-21k mapping lines must have exactly two tokens; others are errors (reference crash)',
} as const;
export type IngestCompatSwitch = keyof typeof INGEST_COMPAT_SWITCHES;

export interface IngestOptions {
  adapter: IngestAdapterName;
  /** Input paths, globs or brace ranges (`x_{000..031}.tar`). */
  input: string[];
  /** Output pattern; `{000}` is replaced by the zero-padded shard index. Without it: one file. */
  out: string;
  /** Image root for relative image paths (llava, chat, interleaved) or the tar folder (mmc4 mapping). */
  images?: string;
  /** Label map (imagenet) or url→(shard,key) map (interleaved). */
  mapping?: string;
  /** webdataset: JSON member field holding the caption (default: the `.txt` member). text: the text field. */
  captionKey?: string;
  /** Seed of the per-sample RNG (image before/after text). Default 42. */
  seed?: number;
  /** Output shards processed in parallel (worker threads when available). Default 1. */
  workers?: number;
  /** Image loads in flight inside one shard. Default 16. */
  concurrency?: number;
  /** Rolling shards: documents per shard (number / '10000') or bytes ('512MB', '2GiB'). */
  shardSize?: number | string;
  /** Fixed shards: inputs sorted and split into this many contiguous groups (reference rule). */
  numShards?: number;
  /** Fixed shards: process only these shard indices (one Slurm array task = one index). */
  shardIndex?: number | number[];
  /** Role of pre-training messages. Default 'assistant'. */
  role?: IngestRole;
  /** Probability that an image precedes its text. Default 1.0. */
  beforeRatio?: number;
  /** Re-encode images whose longest side exceeds this (changes what prepare sees). */
  maxSide?: number;
  envelope?: IngestEnvelope;
  jsonStyle?: IngestJsonStyle;
  /** 'string' writes a lone text part as a plain string (SlimPajama). Default 'parts'. */
  contentStyle?: 'parts' | 'string';
  mimePolicy?: 'sniff' | 'jpeg-compat';
  sortInputs?: boolean;
  /** Image validation: magic bytes (default), full decode (sharp), or none. */
  validate?: 'none' | 'header' | 'decode';
  compat?: string[];
  /** Redo finished shards. */
  force?: boolean;
  /** Stop (exit 1) once more than this many records were quarantined. */
  maxErrors?: number;
  preset?: string;

  // adapter specifics
  /** llava/chat: JSON field names. */
  idKey?: string;
  imageKey?: string;
  conversationsKey?: string;
  /** llava: role mapping (default human→user, gpt→assistant, system→system). */
  roleMap?: Record<string, IngestRole>;
  imageToken?: string;
  /** llava: keep the empty text piece before a leading `<image>` (reference CC3M). Default false. */
  keepEmptyText?: boolean;
  /** webdataset/imagenet: image member extensions. */
  imageExts?: string[];
  /** imagenet: 'assistant' = one assistant message [image, label] (21k); 'user-assistant' = user [image] → assistant [label] (1k). */
  layout?: 'assistant' | 'user-assistant';
  /** imagenet: label clean-up steps. */
  labelTransform?: Array<'underscore' | 'hyphen' | 'lowercase'>;
  /** text: dotted field used for filtering, e.g. meta.redpajama_set_name. */
  filterKey?: string;
  exclude?: string[];
  include?: string[];
  /** qa: key of the records array inside a top-level object (FigureQA `qa_pairs`). */
  recordsKey?: string;
  /** qa: image path under --images with `{field}` placeholders (`{id}` = record key). Default `{image}`. */
  imageTemplate?: string;
  /** qa: question / answer fields (strings or parallel arrays). Defaults question / answer. */
  questionKey?: string;
  answerKey?: string;
  /** qa: answer rewrites, e.g. {"0":"No","1":"Yes"}. */
  answerMap?: Record<string, string>;
  /** interleaved: drop the whole document or just the image when an image is missing. */
  onMissingImage?: 'drop-document' | 'drop-image';
  onProgress?: ProgressFn;
  /** Worker script override (tests). */
  workerScript?: string;
}

/** One content part before serialisation: images still as bytes. */
export type IngestPart =
  | { type: 'text'; text: string }
  | { type: 'image'; bytes: Uint8Array; source: string; mime?: string };

export interface IngestMessage {
  role: IngestRole;
  content: IngestPart[];
}

export interface IngestDoc {
  id?: string;
  messages: IngestMessage[];
}

export interface IngestErrorRecord {
  reason: string;
  message: string;
  file: string;
  member?: string;
  line?: number;
  id?: string;
}

/** What an adapter yields for each input record, in input order. */
export type IngestItem =
  | { kind: 'doc'; doc: IngestDoc; counters?: Record<string, number>; where?: { line?: number; member?: string } }
  | { kind: 'error'; error: IngestErrorRecord }
  | { kind: 'skip'; counter: string };

export interface IngestShardStats {
  shard: string;
  index: number;
  inputs: string[];
  documents: number;
  images: number;
  imageBytes: number;
  /** Uncompressed JSONL bytes written. */
  bytes: number;
  errors: Record<string, number>;
  errorCount: number;
  mime: Record<string, number>;
  counters: Record<string, number>;
  /** Rolling mode: where the next shard starts (input index, item index within it). */
  end?: { unit: number; item: number };
}

export interface IngestSummary {
  adapter: IngestAdapterName;
  preset?: string;
  shards: number;
  shardsWritten: number;
  shardsSkipped: number;
  documents: number;
  images: number;
  imageBytes: number;
  bytes: number;
  errors: Record<string, number>;
  errorCount: number;
  counters: Record<string, number>;
  errorsFile: string;
  statsFile: string;
  outputs: string[];
}

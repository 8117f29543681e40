/**
 * Dataset presets: option bundles reproducing the reference conversions (cc3m-llava, capfusion,
 * imagenet1k, imagenet21k, slimpajama, mmc4, c4-val) and the public-release layouts of the
 * datasets without a reference script (websight, llavar, dvqa, ocrvqa, figureqa, allava).
 * Explicit options win over preset values. The reference JSON flavour is applied only under
 * `--compat json-style` (or `reference`); everything else here is the reference's documented
 * behaviour, not a defect.
 */
import { UsageError } from '../errors.js';
import { hasShardPlaceholder } from './output.js';
import type { IngestAdapterName, IngestJsonStyle, IngestOptions } from './types.js';

export interface IngestPreset {
  adapter: IngestAdapterName;
  description: string;
  /** Example command (docs). */
  example: string;
  /** The reference script's JSON writer (python json.dumps or ujson). */
  referenceJsonStyle?: IngestJsonStyle;
  options: Partial<IngestOptions>;
}

export const INGEST_PRESETS: Record<string, IngestPreset> = {
  'cc3m-llava': {
    adapter: 'llava',
    description: 'LLaVA-CC3M-Pretrain-595K: chat.json + images/, one E1 file, empty text before <image> kept (reference scripts/data/cc3m)',
    example: "solo ingest llava --preset cc3m-llava --input data/raw/LLaVA-CC3M-Pretrain-595K/chat.json --images data/raw/LLaVA-CC3M-Pretrain-595K/images --out data/processed/llava_cc3m.jsonl.gz",
    referenceJsonStyle: 'python',
    options: { keepEmptyText: true, envelope: 'conversations' },
  },
  capfusion: {
    adapter: 'webdataset',
    description: 'CapsFusion-120M img2dataset tars ({key}.jpg + {key}.txt): 128 shards, one assistant message, image before caption (ratio 1.0, seed 42)',
    example: "solo ingest webdataset --preset capfusion --input 'data/raw/capfusion-120m/images_and_caption/*.tar' --out 'data/processed/capfusion/capfusion.shard_{000}.jsonl.lz4' --workers 16",
    referenceJsonStyle: 'ujson',
    options: { numShards: 128, beforeRatio: 1, seed: 42, envelope: 'single-message', imageExts: ['jpg'] },
  },
  imagenet21k: {
    adapter: 'imagenet',
    description: "ImageNet-21k winter'21 WebDataset tars ({wnid}_{n}.jpg) + mapping.txt: 32 shards, assistant [image, name with _ and - → space, case kept]",
    example: "solo ingest imagenet --preset imagenet21k --input '/data/imagenet-w21-wds/*.tar' --mapping /data/imagenet-w21-wds/mapping.txt --out 'data/processed/imagenet21k/imagenet21k.shard_{000}.jsonl.lz4' --workers 16",
    referenceJsonStyle: 'ujson',
    options: { numShards: 32, beforeRatio: 1, layout: 'assistant', labelTransform: ['underscore', 'hyphen'], envelope: 'single-message' },
  },
  imagenet1k: {
    adapter: 'imagenet',
    description: 'ImageNet-1k train class folders + category.jsonl: user [image] → assistant [name, _ → space, lower-cased], images decode-validated, id <wnid>/<file>',
    example: "solo ingest imagenet --preset imagenet1k --input /data/imagenet/train --mapping data/raw/imagenet/category.jsonl --out data/processed/imagenet_train.jsonl.gz",
    referenceJsonStyle: 'python',
    options: { layout: 'user-assistant', labelTransform: ['underscore', 'lowercase'], validate: 'decode', envelope: 'conversations' },
  },
  slimpajama: {
    adapter: 'text',
    description: 'SlimPajama-627B train/chunk*/…jsonl.zst: drop RedPajamaCommonCrawl and RedPajamaC4, string content, 32 shards',
    example: "solo ingest text --preset slimpajama --input 'data/raw/slimpajama/train/chunk*/*.jsonl.zst' --out 'data/processed/slimpajama/slimpajama.shard_{000}.jsonl.lz4' --workers 16",
    referenceJsonStyle: 'ujson',
    options: {
      numShards: 32,
      filterKey: 'meta.redpajama_set_name',
      exclude: ['RedPajamaCommonCrawl', 'RedPajamaC4'],
      contentStyle: 'string',
      envelope: 'single-message',
    },
  },
  mmc4: {
    adapter: 'interleaved',
    description: 'MMC4 fewer-faces core v3 docs + img2dataset tars + url→(shard,key) map: 32 shards, E2, whole document dropped when an image is missing (process_mmc4.sh)',
    example: "solo ingest interleaved --preset mmc4 --input 'data/raw/mmc4/docs_no_face_v3/*.jsonl' --images data/raw/mmc4/images_no_face_v3 --mapping data/raw/mmc4/images_no_face_v3.selected.parquet --out 'data/processed/mmc4/mmc4.shard_{000}.jsonl.gz' --workers 16",
    referenceJsonStyle: 'ujson',
    options: { numShards: 32, beforeRatio: 1, seed: 42, onMissingImage: 'drop-document', envelope: 'messages-array' },
  },
  'c4-val': {
    adapter: 'text',
    description: 'C4-en validation (allenai/c4 en/c4-validation.*.json.gz): E2 with one assistant text part, one file',
    example: "solo ingest text --preset c4-val --input 'data/raw/c4/en/c4-validation.*.json.gz' --out data/processed/c4_val.jsonl.gz",
    referenceJsonStyle: 'ujson',
    options: { envelope: 'messages-array', contentStyle: 'parts' },
  },
  websight: {
    adapter: 'table',
    description: 'WebSight (HuggingFaceM4/WebSight parquet: image {bytes,path} + text = HTML): screenshot before HTML, one assistant message, 20 shards (driver table)',
    example: "solo ingest table --preset websight --input 'data/raw/websight/data/*.parquet' --out 'data/processed/websight/websight.shard_{000}.jsonl.lz4' --workers 8",
    options: { numShards: 20, beforeRatio: 1, imageKey: 'image', captionKey: 'text', envelope: 'single-message' },
  },
  llavar: {
    adapter: 'llava',
    description: 'LLaVAR pre-training: chat_llavar.json (LLaVA format) + images/, one file',
    example: "solo ingest llava --preset llavar --input data/raw/llavar/chat_llavar.json --images data/raw/llavar/images --out data/processed/llavaR.jsonl.gz",
    options: { envelope: 'conversations' },
  },
  dvqa: {
    adapter: 'qa',
    description: 'DVQA release: qa/train_qa.json [{image, question, answer}] + images/*.png; one conversation per chart (200,000 train images)',
    example: "solo ingest qa --preset dvqa --input data/raw/dvqa/qa/train_qa.json --images data/raw/dvqa/images --out data/processed/dvqa.jsonl.gz",
    options: { imageTemplate: '{image}', questionKey: 'question', answerKey: 'answer', envelope: 'conversations' },
  },
  ocrvqa: {
    adapter: 'qa',
    description: 'OCR-VQA release: dataset.json {id: {imageURL, questions[], answers[], split}} + images/<id>.jpg (loadDataset.py); train split (split = 1) only',
    example: "solo ingest qa --preset ocrvqa --input data/raw/ocrvqa/dataset.json --images data/raw/ocrvqa/images --out data/processed/ocrvqa.jsonl.gz",
    options: { imageTemplate: '{id}.jpg', questionKey: 'questions', answerKey: 'answers', filterKey: 'split', include: ['1'], envelope: 'conversations' },
  },
  figureqa: {
    adapter: 'qa',
    description: 'FigureQA release: train1/qa_pairs.json {"qa_pairs": [{image_index, question_string, answer 0/1}]} + train1/png/<index>.png; answers No/Yes',
    example: "solo ingest qa --preset figureqa --input data/raw/figureqa/train1/qa_pairs.json --images data/raw/figureqa/train1/png --out data/processed/figureqa.jsonl.gz",
    options: { recordsKey: 'qa_pairs', imageTemplate: '{image_index}.png', questionKey: 'question_string', answerKey: 'answer', answerMap: { '0': 'No', '1': 'Yes' }, envelope: 'conversations' },
  },
  allava: {
    adapter: 'llava',
    description: 'ALLaVA-4V (LAION or VFLAN; Caption + Instruct JSON in LLaVA format) + image root, one file per subset',
    example: "solo ingest llava --preset allava --input 'data/raw/ALLaVA-4V/allava_laion/*.json' --images data/raw/ALLaVA-4V --out data/processed/ALLaVA-LAION-4V.jsonl.gz",
    options: { envelope: 'conversations' },
  },
};

/** Merge a preset under the explicit options (explicit values win). */
export function applyPreset(opts: IngestOptions): IngestOptions {
  if (!opts.preset) return opts;
  const p = INGEST_PRESETS[opts.preset];
  if (!p) throw new UsageError(`unknown preset '${opts.preset}' (known: ${Object.keys(INGEST_PRESETS).join(', ')})`);
  if (opts.adapter && opts.adapter !== p.adapter) throw new UsageError(`preset '${opts.preset}' is for the '${p.adapter}' adapter, not '${opts.adapter}'`);
  const merged: IngestOptions = { ...opts, adapter: p.adapter };
  const single = !hasShardPlaceholder(opts.out);
  for (const [k, v] of Object.entries(p.options)) {
    if (k === 'numShards' && single) continue; // one output file asked for explicitly
    if ((merged as unknown as Record<string, unknown>)[k] === undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  }
  // --num-shards vs --shard-size: an explicit rolling size replaces the preset's fixed count
  if (opts.shardSize !== undefined && opts.numShards === undefined) delete merged.numShards;
  const compat = opts.compat ?? [];
  if (p.referenceJsonStyle && opts.jsonStyle === undefined && (compat.includes('json-style') || compat.includes('reference'))) merged.jsonStyle = p.referenceJsonStyle;
  return merged;
}

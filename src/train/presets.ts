/**
 * Presets `solo-stage1/2/3` (spec B.4, B.11.5): the three curriculum scripts' values, including
 * the mixtures exactly as pasted into the scripts (weights as 4-decimal literals, in order).
 */
import type { MixtureEntry, TrainConfigInput, TrainPresetName } from './config.js';

const MF = 'data/processed/megatron_format';
const SCRATCH_MF = '/scratch/xingyao6/Multimodal-Mistral/data/processed/megatron_format';
export const SOLO_NAS_CKPT_ROOT = '/shared/nas/data/m1/xingyao6/projects/Multimodal-Mistral/data/ckpts';

const pad3 = (i: number) => String(i).padStart(3, '0');
const entry = (weight: string, prefix: string): MixtureEntry => ({ weight, prefix });
const shards = (root: string, name: string, weights: string[]): MixtureEntry[] =>
  weights.map((w, i) => entry(w, `${root}/mmistral_${name}_shard_${pad3(i)}_pack32k/data`));
const single = (weight: string, name: string): MixtureEntry => entry(weight, `${MF}/mmistral_${name}_pack32k/data`);

const STAGE1_DATA: MixtureEntry[] = [
  ...shards(SCRATCH_MF, 'imagenet21k', Array.from({ length: 32 }, (_, i) => (i === 8 || i === 23 ? '0.0218' : '0.0219'))),
  entry('0.3000', `${MF}/mmistral_slimpajama_shard_002_pack32k/data`),
];

const CAPFUSION_W = '0.0143 0.0143 0.0144 0.0142 0.0144 0.0146 0.0144 0.0144 0.0145 0.0143 0.0146 0.0142 0.0145 0.0144 0.0144 0.0145 0.0145 0.0144 0.0143 0.0146 0.0143 0.0143 0.0145 0.0142 0.0143 0.0145 0.0144 0.0142 0.0144 0.0144 0.0142 0.0145'.split(' ');
const WEBSIGHT_W = '0.0081 0.0081 0.0080 0.0080 0.0080 0.0079 0.0081 0.0081 0.0081 0.0081 0.0081 0.0081 0.0081 0.0080 0.0081 0.0081 0.0081 0.0080 0.0080 0.0076'.split(' ');

const STAGE2_DATA: MixtureEntry[] = [
  ...shards(MF, 'capfusion', CAPFUSION_W),
  ...shards(MF, 'detailed_captions', ['0.0140']),
  ...shards(MF, 'cc3m_full', ['0.0082', '0.0082', '0.0082', '0.0082', '0.0082', '0.0082', '0.0082', '0.0082', '0.0080']),
  entry('0.2702', `${MF}/mmistral_slimpajama_shard_001_pack32k/data`),
  single('0.0081', 'llavaR'),
  ...shards(MF, 'websight', WEBSIGHT_W),
  single('0.0036', 'ocrvqa'),
  single('0.0065', 'dvqa'),
  single('0.0034', 'figureqa'),
];

const STAGE3_DATA: MixtureEntry[] = [
  // Weighted from an unseeded 10% row sample in the notebook (spec §11): declared as such.
  { weight: '0.3153', prefix: `${MF}/mmistral_slimpajama_shard_000_pack32k/data`, sampleFraction: 0.1 },
  single('0.0940', 'llavaR'),
  single('0.0761', 'dvqa'),
  single('0.0398', 'figureqa'),
  single('0.1166', 'allava_vflan4v'),
  single('0.3581', 'allava_laion4v'),
];

export const TRAIN_PRESETS: Record<TrainPresetName, TrainConfigInput> = {
  'solo-stage1': {
    preset: 'solo-stage1',
    expDataNote: 'train_imagenet21k_img70pct-no_sep_loss-32k',
    trainData: STAGE1_DATA,
    nTrainData: 195122,
    ckptRoot: 'data/ckpts',
    handoffTag: 'imagenet21k',
  },
  'solo-stage2': {
    preset: 'solo-stage2',
    expDataNote: 'train_1sSlimpajama_capfusion32s_cc3m_detailed_cap+websight_llavaR_dvqa_ocrvqa_figureqa+stage2-no_sep_loss-32k',
    trainData: STAGE2_DATA,
    nTrainData: 445565,
    handoffTag: 'caption+ocr-stage2',
    loadModelCkpts: 'data/models/sharded/MultimodalMistral-7B-dproj-megatron-imagenet21k-1525-tp2-pp1',
    ckptRoot: SOLO_NAS_CKPT_ROOT,
  },
  'solo-stage3': {
    preset: 'solo-stage3',
    expDataNote: 'train_1sSlimpajama_llavaR_dvqa_figureqa_allava_vfan4v_laion4v+stage3-no_sep_loss-32k',
    trainData: STAGE3_DATA,
    nTrainData: 38324,
    loadModelCkpts: 'data/models/sharded/MultimodalMistral-7B-dproj-megatron-caption+ocr-stage2-3481-tp2-pp1',
    ckptRoot: SOLO_NAS_CKPT_ROOT,
  },
};

export function isTrainPreset(name: string): name is TrainPresetName {
  return Object.prototype.hasOwnProperty.call(TRAIN_PRESETS, name);
}

/** The stage that follows a preset (for `solo train next-stage`). */
export const NEXT_PRESET: Partial<Record<TrainPresetName, TrainPresetName>> = {
  'solo-stage1': 'solo-stage2',
  'solo-stage2': 'solo-stage3',
};

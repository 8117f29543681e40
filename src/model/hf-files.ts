/**
 * The non-weight files of an HF SOLO directory that megatron_to_hf.py / create_solo.py write with
 * transformers 4.38.2's slow LlamaTokenizer: tokenizer_config.json, special_tokens_map.json and
 * generation_config.json (byte-identical to the reference fixtures'). Used when no input
 * directory provides them.
 */
import { pyJsonDumps, num } from './pyjson.js';
import { REFERENCE_TRANSFORMERS_VERSION } from './hf-config.js';

const tok = (content: string, special: boolean) => ({
  content, lstrip: false, normalized: false, rstrip: false, single_word: false, ...(special ? { special: true } : {}),
});

export function llamaTokenizerConfigText(): string {
  return pyJsonDumps({
    add_bos_token: true,
    add_eos_token: false,
    add_prefix_space: true,
    added_tokens_decoder: { '0': tok('<unk>', true), '1': tok('<s>', true), '2': tok('</s>', true) },
    bos_token: '<s>',
    clean_up_tokenization_spaces: false,
    eos_token: '</s>',
    legacy: true,
    model_max_length: num('1000000000000000019884624838656'),
    pad_token: null,
    sp_model_kwargs: {},
    spaces_between_special_tokens: false,
    tokenizer_class: 'LlamaTokenizer',
    unk_token: '<unk>',
    use_default_system_prompt: false,
  }) + '\n';
}

export function specialTokensMapText(): string {
  return pyJsonDumps({ bos_token: tok('<s>', false), eos_token: tok('</s>', false), unk_token: tok('<unk>', false) }) + '\n';
}

export function generationConfigText(transformersVersion = REFERENCE_TRANSFORMERS_VERSION): string {
  return pyJsonDumps({ _from_model_config: true, bos_token_id: num(1), eos_token_id: num(2), transformers_version: transformersVersion }) + '\n';
}

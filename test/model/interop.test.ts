/**
 * Interop (real oracle, Debian python3-torch): solo's Megatron outputs for TP∈{1,2}, PP∈{1,2}
 * (and the release) are loaded with `torch.load` and described in Python the way the fixtures'
 * describe_ckpt.py does (object tree with Python types and `_metadata`, tensor dtype/shape/sha256);
 * the descriptions must equal the golden ones (but `args.save`). Safetensors outputs are loaded
 * in Python (json + struct + torch.frombuffer; python3-safetensors is not packaged) and checked
 * against the tensors torch.load gives for the same model.
 */
import { it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { describeInterop, runPython } from '../helpers/oracle.js';
import { modelToMegatron, modelShard, modelToHf } from '../../src/model/index.js';
import { unpackFixtures, golden } from './helpers.js';

const PY = String.raw`
import sys, json, hashlib, collections, argparse, enum, struct, types, torch
# the Megatron enums pickled in args (megatron/model/enums.py of the SOLO fork), without Megatron
E = types.ModuleType("megatron.model.enums")
class PositionEmbeddingType(enum.Enum):
    rotary = 1
    absolute = 2
class ModelType(enum.Enum):
    encoder_or_decoder = 1
    encoder_and_decoder = 2
for c in (PositionEmbeddingType, ModelType):
    c.__module__ = "megatron.model.enums"; setattr(E, c.__name__, c)
sys.modules["megatron"] = types.ModuleType("megatron"); sys.modules["megatron.model"] = types.ModuleType("megatron.model"); sys.modules["megatron.model.enums"] = E
def J(path, k):
    return None if path is None else (path + "/" + k if path else k)
def d(v, path):
    if isinstance(v, torch.Tensor):
        return {"t": "tensor", "path": path}
    if isinstance(v, collections.OrderedDict):
        o = {"t": "OrderedDict", "items": [[k, d(x, J(path, k))] for k, x in v.items()]}
        if hasattr(v, "_metadata"):
            o["_metadata"] = d(v._metadata, None)
        return o
    if isinstance(v, dict):
        return {"t": "dict", "items": [[k, d(x, J(path, k))] for k, x in v.items()]}
    if isinstance(v, argparse.Namespace):
        return {"t": "Namespace", "fields": [[k, d(x, None)] for k, x in vars(v).items()]}
    if isinstance(v, enum.Enum):
        return {"t": "enum", "class": type(v).__module__ + "." + type(v).__qualname__, "name": v.name, "value": v.value}
    if isinstance(v, bool): return {"t": "bool", "v": v}
    if isinstance(v, int): return {"t": "int", "v": v}
    if isinstance(v, float): return {"t": "float", "v": repr(v)}
    if isinstance(v, str): return {"t": "str", "v": v}
    if v is None: return {"t": "none"}
    if isinstance(v, list): return {"t": "list", "items": [d(x, None) for x in v]}
    if isinstance(v, torch.dtype): return {"t": "dtype", "v": str(v)}
    raise Exception("unexpected %r" % type(v))
def tensors(v, path, out):
    if isinstance(v, torch.Tensor):
        b = v.contiguous().view(torch.uint8).numpy().tobytes() if v.numel() else b""
        out[path] = {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "sha256": hashlib.sha256(b).hexdigest()}
    elif isinstance(v, dict):
        for k, x in v.items(): tensors(x, (path + "/" if path else "") + k, out)
def st_load(p):
    b = open(p, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8+n]); out = {}
    dt = {"BF16": torch.bfloat16, "F32": torch.float32, "F16": torch.float16}
    for k, e in h.items():
        if k == "__metadata__": continue
        s, t = e["data_offsets"]
        out[k] = torch.frombuffer(bytearray(b[8+n+s:8+n+t]), dtype=dt[e["dtype"]]).reshape(e["shape"])
    return out
res = {}
for p in json.loads(sys.argv[1]):
    if p.endswith(".safetensors"):
        res[p] = {k: [str(v.dtype), list(v.shape), hashlib.sha256(v.contiguous().view(torch.uint8).numpy().tobytes()).hexdigest()] for k, v in st_load(p).items()}
        continue
    o = torch.load(p, map_location="cpu")
    ts = {}
    tensors(o, "", ts)
    res[p] = {"object": d(o, ""), "tensors": ts}
print(json.dumps(res))
`;

type Obj = { t: string; items?: [string, Obj][]; fields?: [string, Obj][] };
function withoutSave(o: unknown): unknown {
  const root = structuredClone(o) as Obj;
  const args = root.items!.find(([k]) => k === 'args')![1];
  args.fields = args.fields!.filter(([k]) => k !== 'save');
  return root;
}

describeInterop(['torch'], 'model outputs load in PyTorch like the golden files', () => {
  let root: string;
  const outputs: [string, string][] = []; // [our file, golden describe rel]
  beforeAll(async () => {
    root = unpackFixtures();
    const rel = join(root, 'release');
    await modelToMegatron({ hf: join(root, 'solo-hf'), out: rel, trueVocabSize: 33029, dtype: 'float32' });
    outputs.push([join(rel, 'release/mp_rank_00/model_optim_rng.pt'), 'megatron-release/release/mp_rank_00/model_optim_rng.pt']);
    for (const [tp, pp] of [[1, 1], [2, 1], [1, 2], [2, 2]] as const) {
      const out = join(root, `tp${tp}pp${pp}`);
      const r = await modelShard({ in: rel, out, tp, pp, trueVocabSize: 33029, compat: ['reference'] });
      for (const f of r.files) outputs.push([join(out, f), `megatron-tp${tp}-pp${pp}/${f}`]);
    }
  });

  it('torch.load gives the golden object trees, args types and tensor bytes', () => {
    const res = JSON.parse(runPython(PY, { args: [JSON.stringify(outputs.map(([f]) => f))] })) as Record<string, { object: unknown; tensors: Record<string, unknown> }>;
    expect(outputs).toHaveLength(1 + 1 + 2 + 2 + 4);
    for (const [f, g] of outputs) {
      const gold = golden(root, g);
      const mine = res[f]!;
      if (g.startsWith('megatron-release')) expect(mine.object, g).toEqual(gold.object);
      else expect(withoutSave(mine.object), g).toEqual(withoutSave(gold.object));
      const gt = Object.fromEntries(Object.entries(gold.tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, sha256: t.sha256 }]));
      expect(mine.tensors, g).toEqual(gt);
    }
  });

  it('safetensors written by to-hf load in Python with the tensors torch.load sees in the TP1 shard', async () => {
    const hf = join(root, 'hf');
    await modelToHf({ in: join(root, 'tp2pp2'), out: hf, vocabSize: 33029 });
    const res = JSON.parse(runPython(PY, { args: [JSON.stringify([join(hf, 'model.safetensors')])] })) as Record<string, Record<string, [string, number[], string]>>;
    const t = res[join(hf, 'model.safetensors')]!;
    expect(Object.keys(t)).toHaveLength(40);
    expect(t['model.embed_tokens.weight']!.slice(0, 2)).toEqual(['torch.bfloat16', [33029, 16]]);
    // layer norms are not permuted or split: same bytes as in the golden TP1 checkpoint
    const g = golden(root, 'megatron-tp1-pp1/release/mp_rank_00/model_optim_rng.pt').tensors;
    expect(t['model.norm.weight']![2]).toBe(g['model/language_model/encoder/final_layernorm.weight']!.sha256);
    expect(t['model.layers.2.mlp.down_proj.weight']![2]).toBe(g['model/language_model/encoder/layers.2.mlp.dense_4h_to_h.weight']!.sha256);
  });
});

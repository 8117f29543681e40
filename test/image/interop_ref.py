"""Reference results for existing image files (run with Debian's /usr/bin/python3): argv are
paths; prints one JSON line per file, like interop_gen.py (sha256 of decoded RGB, resized RGB and
float16 patches from the reference transform), or the error the reference raised."""
import hashlib, io, json, math, sys
import numpy as np
from PIL import Image
import torch
from torchvision import transforms

torch.set_num_threads(1)
norm = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])


def get_resize_output_image_size(image_size):
    l1, l2 = image_size
    short, long = (l2, l1) if l2 <= l1 else (l1, l2)
    requested_new_long = min(math.ceil(long / 32) * 32, 1024)
    new_long, new_short = requested_new_long, int(requested_new_long * short / long)
    new_short = math.ceil(new_short / 32) * 32
    return (new_long, new_short) if l2 <= l1 else (new_short, new_long)


sha = lambda b: hashlib.sha256(b).hexdigest()
for i, name in enumerate(sys.argv[1:]):
    rec = {'i': i, 'file': name}
    try:
        im = Image.open(io.BytesIO(open(name, 'rb').read()))
        rec['format'], rec['mode'] = im.format, im.mode
        im = im.convert('RGB')
        rec['w'], rec['h'] = im.size
        rec['sha_dec'] = sha(np.asarray(im).tobytes())
        nw, nh = get_resize_output_image_size(im.size)
        r = transforms.Resize((nh, nw))(im)
        rec['sha_res'] = sha(np.asarray(r).tobytes())
        x = norm(r)
        p = x.unfold(1, 32, 32).unfold(2, 32, 32).permute(1, 2, 0, 3, 4).reshape(-1, 3, 32, 32)
        rec['sha_f16'] = sha(p.numpy().astype(np.float16).tobytes())
        rec['nw'], rec['nh'] = nw, nh
    except Exception as e:
        rec['error'] = '%s: %s' % (type(e).__name__, e)
    print(json.dumps(rec), flush=True)

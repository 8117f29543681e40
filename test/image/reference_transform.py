"""The reference image branch, shared by interop_gen.py and interop_ref.py (the tests run this file
followed by the script as one program): PIL open + convert RGB, get_resize_output_image_size,
torchvision Resize + ToTensor + Normalize(ImageNet), 32x32 unfold, float16; sha256 of each stage."""
import hashlib, io, math
import numpy as np
from PIL import Image
import torch
from torchvision import transforms

torch.set_num_threads(1)
norm = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
sha = lambda b: hashlib.sha256(b).hexdigest()


def get_resize_output_image_size(image_size):
    l1, l2 = image_size
    short, long = (l2, l1) if l2 <= l1 else (l1, l2)
    requested_new_long = min(math.ceil(long / 32) * 32, 1024)
    new_long, new_short = requested_new_long, int(requested_new_long * short / long)
    new_short = math.ceil(new_short / 32) * 32
    return (new_long, new_short) if l2 <= l1 else (new_short, new_long)


def reference(data, rec):
    """Fill rec with format, mode, decoded size (unless rec has one), sha_dec, sha_res, sha_f16,
    nw, nh, or the error the reference raised."""
    try:
        im = Image.open(io.BytesIO(data))
        rec['format'], rec['mode'] = im.format, im.mode
        im = im.convert('RGB')
        rec.setdefault('w', im.size[0])
        rec.setdefault('h', im.size[1])
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
    return rec

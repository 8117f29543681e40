"""Interop oracle for test/image/interop.test.ts (run with Debian's /usr/bin/python3).

argv: SEED COUNT OUTDIR. Generates COUNT random images with PIL (plus a few hand-built PNG/BMP
variants PIL cannot write), saves them under OUTDIR, and for each prints one JSON line with the
reference result: the reference image branch (PIL open/convert RGB, get_resize_output_image_size,
torchvision Resize/ToTensor/Normalize, unfold into 32x32 patches, astype(float16)) and the sha256
of the decoded RGB, the resized RGB and the float16 patches; or the error the reference raised.
The reference branch itself is reference_transform.py, which runs before this script.
"""
import io, json, os, random, struct, sys, zlib
import numpy as np
from PIL import Image, ImageFile

ImageFile.MAXBLOCK = 1 << 26  # large optimized/progressive JPEG saves need a big buffer
seed, count, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)
nrng = np.random.RandomState(seed % (2**32))


def pick_size():
    r = rng.random()
    if r < 0.04:
        return 1, 1
    if r < 0.14:  # extreme aspect ratios (some beyond 1024:1, which the reference rejects)
        a, b = rng.randint(1, 4), rng.randint(200, 2500)
        return (a, b) if rng.random() < 0.5 else (b, a)
    if r < 0.80:
        return rng.randint(1, 160), rng.randint(1, 160)
    if r < 0.97:
        return rng.randint(100, 700), rng.randint(100, 700)
    return rng.randint(900, 2500), rng.randint(600, 1400)


def content(w, h, ch):
    kind = rng.randrange(4)
    if kind == 0:
        a = nrng.randint(0, 256, (h, w, ch), dtype=np.uint8)
    else:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a = np.zeros((h, w, ch), np.float32)
        for c in range(ch):
            fx, fy, ph = rng.uniform(0.001, 0.2), rng.uniform(0.001, 0.2), rng.uniform(0, 6.3)
            a[..., c] = 127.5 + 127.5 * np.sin(xx * fx + yy * fy + ph)
        if kind == 2:
            a += nrng.normal(0, 20, a.shape)
        if kind == 3:
            for _ in range(4):
                x0, y0 = rng.randrange(w), rng.randrange(h)
                a[y0:y0 + rng.randint(1, h), x0:x0 + rng.randint(1, w)] = rng.randrange(256)
        a = np.clip(a, 0, 255).astype(np.uint8)
    return a


def rgb_img(w, h):
    return Image.fromarray(content(w, h, 3), 'RGB')


def png_chunk(t, data):
    return struct.pack('>I', len(data)) + t + data + struct.pack('>I', zlib.crc32(t + data) & 0xffffffff)


def png16(w, h, ctype, trns=False):
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    kind = rng.randrange(3)
    if kind == 0:
        a = nrng.randint(0, 65536, (h, w, ch)).astype('>u2')
    elif kind == 1:
        a = nrng.randint(0, 600, (h, w, ch)).astype('>u2')  # mostly below 255: exercises the I clamp
    else:
        a = (content(w, h, ch).astype(np.uint32) * rng.choice([1, 2, 257])).clip(0, 65535).astype('>u2')
    raw = b''.join(b'\x00' + a[y].tobytes() for y in range(h))
    out = b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, ctype, 0, 0, 0))
    if trns and ctype == 0:
        out += png_chunk(b'tRNS', struct.pack('>H', int(a[0, 0, 0])))
    return out + png_chunk(b'IDAT', zlib.compress(raw)) + png_chunk(b'IEND', b'')


def bmp16(w, h, five65, topdown):
    a = nrng.randint(0, 65536, (h, w)).astype('<u2')
    stride = (w * 16 + 31) // 32 * 4
    rows = [a[y].tobytes().ljust(stride, b'\x00') for y in range(h)]
    if not topdown:
        rows = rows[::-1]
    pix = b''.join(rows)
    comp = 3 if five65 else 0
    masks = struct.pack('<III', 0xF800, 0x7E0, 0x1F) if five65 else b''
    off = 14 + 40 + len(masks)
    info = struct.pack('<IiiHHIIiiII', 40, w, -h if topdown else h, 1, 16, comp, len(pix), 2835, 2835, 0, 0)
    return b'BM' + struct.pack('<IHHI', off + len(pix), 0, 0, off) + info + masks + pix


def bmp_pal(w, h, bits, rle):
    """4-bit or 8-bit palette BMP written by hand (PIL cannot write 4-bit or RLE8 BMPs)."""
    ncol = 16 if bits == 4 else rng.choice([16, 200, 256])
    idx = (content(w, h, 1)[..., 0].astype(np.int32) * ncol // 256).astype(np.uint8)
    if rng.random() < 0.5:  # runs, so RLE has something to compress
        idx = np.repeat(idx[:, ::4], 4, axis=1)[:, :w]
    pal = b''.join(bytes([rng.randrange(256), rng.randrange(256), rng.randrange(256), 0]) for _ in range(ncol))
    rows = idx[::-1]
    if rle:
        out = bytearray()
        for row in rows:
            x = 0
            while x < w:
                n = 1
                while x + n < w and n < 255 and row[x + n] == row[x]:
                    n += 1
                if n >= 3 or w - x < 3:
                    out += bytes([n, row[x]])
                    x += n
                else:
                    m = min(w - x, rng.randint(3, 20))
                    out += bytes([0, m]) + bytes(row[x:x + m]) + (b'\x00' if m % 2 else b'')
                    x += m
            out += b'\x00\x00'
        pix = bytes(out + b'\x00\x01')
        comp = 1
    else:
        stride = (w * bits + 31) // 32 * 4
        if bits == 4:
            packed = [bytes(((r[i] << 4) | (r[i + 1] if i + 1 < w else 0)) for i in range(0, w, 2)) for r in rows]
        else:
            packed = [bytes(r) for r in rows]
        pix = b''.join(p.ljust(stride, b'\x00') for p in packed)
        comp = 0
    off = 14 + 40 + len(pal)
    info = struct.pack('<IiiHHIIiiII', 40, w, h, 1, bits, comp, len(pix), 2835, 2835, ncol, 0)
    return b'BM' + struct.pack('<IHHI', off + len(pix), 0, 0, off) + info + pal + pix


def gif_variant(w, h):
    """PIL GIF bytes, then byte surgery: frame 0 smaller than the screen at an offset, and/or the
    global palette moved into a local one."""
    p = palette_img(w, h)
    kw = {'transparency': rng.randrange(2)} if rng.random() < 0.5 else {}
    b = bytearray(save(p, 'GIF', **kw))
    flags = b[10]
    gct = 3 << ((flags & 7) + 1) if flags & 0x80 else 0
    pos = 13 + gct
    while b[pos] == 0x21:
        pos += 2
        while b[pos]:
            pos += b[pos] + 1
        pos += 1
    assert b[pos] == 0x2C
    kind = rng.randrange(3)
    if kind in (0, 2):  # offset frame on a bigger screen
        dx, dy = rng.randint(0, 40), rng.randint(0, 40)
        struct.pack_into('<HH', b, 6, w + dx + rng.randint(0, 30), h + dy + rng.randint(0, 30))
        struct.pack_into('<HH', b, pos + 1, dx, dy)
    if kind in (1, 2) and gct:  # move the palette into a local colour table
        pal = bytes(b[13:13 + gct])
        b[10] = flags & 0x7F
        b[pos + 9] = (b[pos + 9] & 0x40) | 0x80 | (flags & 7)
        b = b[:13] + b[13 + gct:pos + 10] + pal + b[pos + 10:]
    return 'gif-surgery-%d' % kind, bytes(b)


def save(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


def palette_img(w, h):
    return rgb_img(w, h).quantize(colors=rng.choice([2, 7, 16, 64, 256]))


def make(w, h):
    k = rng.randrange(29)
    if k == 28:
        m = rng.choice(['RGB', 'RGBA', 'L', 'P', 'CMYK', '1', 'LA', 'I;16'])
        comp = rng.choice([None, 'tiff_lzw', 'tiff_adobe_deflate', 'packbits'])
        if m == 'P':
            img = palette_img(w, h)
        elif m == '1':
            img = Image.fromarray(content(w, h, 1)[..., 0], 'L').convert('1')
        elif m == 'I;16':
            img = Image.fromarray((content(w, h, 1)[..., 0].astype(np.uint16) * rng.choice([1, 2, 3])), 'I;16')
        else:
            ch = {'RGB': 3, 'RGBA': 4, 'L': 1, 'CMYK': 4, 'LA': 2}[m]
            a = content(w, h, ch)
            img = Image.fromarray(a[..., 0] if ch == 1 else a, m)
        return 'tiff-%s-%s' % (m, comp), save(img, 'TIFF', **({'compression': comp} if comp else {}))
    if k == 27:  # animated: only the first frame counts
        frames = [rgb_img(w, h) for _ in range(2)]
        fmt = rng.choice(['WEBP', 'PNG', 'GIF'])
        return 'anim-' + fmt.lower(), save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    if k == 24:
        return 'bmp-4', bmp_pal(w, h, 4, False)
    if k == 25:
        return ('bmp-rle8', bmp_pal(w, h, 8, True)) if rng.random() < 0.6 else ('bmp-8', bmp_pal(w, h, 8, False))
    if k == 26:
        return gif_variant(w, h)
    if k <= 4:
        q = rng.randint(5, 100)
        sub = rng.choice([0, 1, 2])
        return 'jpeg-%s-%d-q%d' % ('prog' if k == 1 else 'base', sub, q), save(rgb_img(w, h), 'JPEG', quality=q, subsampling=sub, progressive=(k == 1), optimize=(k == 2))
    if k == 5:
        return 'jpeg-grey', save(Image.fromarray(content(w, h, 1)[..., 0], 'L'), 'JPEG', quality=rng.randint(30, 95))
    if k == 6:
        return 'jpeg-cmyk', save(Image.fromarray(content(w, h, 4), 'CMYK'), 'JPEG', quality=rng.randint(30, 95))
    if k == 7:
        return 'png-rgb', save(rgb_img(w, h), 'PNG')
    if k == 8:
        return 'png-rgba', save(Image.fromarray(content(w, h, 4), 'RGBA'), 'PNG')
    if k == 9:
        return 'png-p', save(palette_img(w, h), 'PNG')
    if k == 10:
        p = palette_img(w, h)
        return 'png-p-trns', save(p, 'PNG', transparency=rng.randrange(2))
    if k == 11:
        return 'png-l', save(Image.fromarray(content(w, h, 1)[..., 0], 'L'), 'PNG')
    if k == 12:
        return 'png-la', save(Image.fromarray(content(w, h, 2), 'LA'), 'PNG')
    if k == 13:
        return 'png-1bit', save(Image.fromarray(content(w, h, 1)[..., 0], 'L').convert('1'), 'PNG')
    if k == 14:
        return 'png-grey16', png16(w, h, 0, trns=rng.random() < 0.3)
    if k == 15:
        return 'png-rgb16', png16(w, h, rng.choice([2, 6, 4]))
    if k == 16:
        return 'webp-lossy', save(rgb_img(w, h), 'WEBP', quality=rng.randint(20, 95))
    if k == 17:
        return 'webp-lossless', save(Image.fromarray(content(w, h, 4), 'RGBA'), 'WEBP', lossless=True)
    if k == 18:
        return 'webp-alpha', save(Image.fromarray(content(w, h, 4), 'RGBA'), 'WEBP', quality=rng.randint(20, 95))
    if k == 19:
        p = palette_img(w, h)
        kw = {'transparency': rng.randrange(2)} if rng.random() < 0.5 else {}
        return 'gif', save(p, 'GIF', interlace=rng.random() < 0.5, **kw)
    if k == 20:
        return 'bmp-24', save(rgb_img(w, h), 'BMP')
    if k == 21:
        m = rng.choice(['P', 'L', '1'])
        img = palette_img(w, h) if m == 'P' else Image.fromarray(content(w, h, 1)[..., 0], 'L').convert(m)
        return 'bmp-' + m, save(img, 'BMP')
    if k == 22:
        return 'bmp-32', save(Image.fromarray(content(w, h, 4), 'RGBA'), 'BMP')
    return 'bmp-16', bmp16(w, h, rng.random() < 0.5, rng.random() < 0.5)


for i in range(count):
    w, h = pick_size()
    kind, data = make(w, h)
    if rng.random() < 0.02 and len(data) > 64:
        data = data[: rng.randint(len(data) // 3, len(data) - 8)]
        kind += '-truncated'
    name = os.path.join(outdir, '%04d.img' % i)
    with open(name, 'wb') as f:
        f.write(data)
    rec = reference(data, {'i': i, 'file': name, 'kind': kind, 'w': w, 'h': h})
    print(json.dumps(rec), flush=True)

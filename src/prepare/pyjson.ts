/**
 * Python `json.loads` acceptance for one line: JSON.parse plus the non-standard literals Python
 * accepts (`NaN`, `Infinity`, `-Infinity`). They can only sit in values the encoder ignores
 * (any used value must be a string, list or object), so they are parsed as `null`. Hand-written
 * because no JSON parser with Python's acceptance set is installed.
 */

/** Parse like `json.loads`; throws SyntaxError when Python would raise JSONDecodeError. */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
    return JSON.parse(replaceNonFinite(text));
  }
}

/** Replace NaN / Infinity / -Infinity tokens outside strings by `null`. */
function replaceNonFinite(s: string): string {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      // skip a string
      i++;
      while (i < s.length) {
        const d = s.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    for (const tok of ['-Infinity', 'Infinity', 'NaN']) {
      if (s.startsWith(tok, i)) {
        out += s.slice(last, i) + 'null';
        i += tok.length;
        last = i;
        break;
      }
    }
    i++;
  }
  return out + s.slice(last);
}

/** Python's `len(str)`: code points (a surrogate pair counts once). */
const SURROGATE = /[\ud800-\udfff]/;

export function codePointLength(s: string): number {
  let n = s.length;
  if (!SURROGATE.test(s)) return n;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** True if the string holds a UTF-16 surrogate without its partner (Python cannot UTF-8-encode it). */
export function hasUnpairedSurrogate(s: string): boolean {
  if (!SURROGATE.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return true;
  }
  return false;
}

/**
 * CPython `base64.b64decode(s)` (non-validating, spec §6 step 3): ignores characters outside the
 * alphabet, stops at a completed pad, rejects incomplete quads. Throws Error('Incorrect padding' …).
 */
const STRICT_B64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function pythonBase64Decode(s: string): Buffer {
  // Fast path: canonical padded base64 decodes identically with Node's decoder.
  if (s.length % 4 === 0 && STRICT_B64.test(s) && !/[^=]=[^=]|=[^=]/.test(s.slice(-3))) return Buffer.from(s, 'base64');
  const out = Buffer.allocUnsafe(Math.floor((s.length * 3) / 4) + 3);
  let o = 0;
  let quad = 0;
  let acc = 0;
  let pads = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new Error('string argument should contain only ASCII characters');
    let v: number;
    if (c >= 65 && c <= 90) v = c - 65;
    else if (c >= 97 && c <= 122) v = c - 71;
    else if (c >= 48 && c <= 57) v = c + 4;
    else if (c === 43) v = 62;
    else if (c === 47) v = 63;
    else if (c === 61) {
      if (quad >= 2) {
        pads++;
        if (quad + pads >= 4) {
          // complete: emit the partial quad and stop
          if (quad === 2) out[o++] = (acc >> 4) & 0xff;
          else if (quad === 3) {
            out[o++] = (acc >> 10) & 0xff;
            out[o++] = (acc >> 2) & 0xff;
          }
          return out.subarray(0, o);
        }
      }
      continue;
    } else continue;
    pads = 0;
    acc = (acc << 6) | v;
    quad++;
    if (quad === 4) {
      out[o++] = (acc >> 16) & 0xff;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      quad = 0;
      acc = 0;
    }
  }
  if (quad === 1) throw new Error('Invalid base64-encoded string: number of data characters cannot be 1 more than a multiple of 4');
  if (quad !== 0) throw new Error('Incorrect padding');
  return out.subarray(0, o);
}

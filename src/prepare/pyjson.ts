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

/**
 * Python's `len(str)`, the lone-surrogate test and CPython `base64.b64decode` (non-validating, spec §6 step 3) are the chat
 * module's: one implementation, tested against the golden CPython vectors there and here.
 */
export { codePointLength, hasLoneSurrogate as hasUnpairedSurrogate, pythonB64Decode as pythonBase64Decode } from '../chat/index.js';

/**
 * JSON parsing with Python's `json.loads` acceptance set, as far as it matters for chat lines:
 * JSON.parse plus the `NaN`, `Infinity` and `-Infinity` literals (read as null here: they can
 * only occur in values a chat document does not use, or ones that are errors either way).
 * Duplicate keys (last wins), big integers and lone-surrogate escapes behave alike in both.
 */
const LITERAL = /NaN|-?Infinity/;

/** Replace NaN / Infinity / -Infinity tokens outside strings by null; null if none were found. */
function replacePythonLiterals(text: string): string | null {
  let out = '';
  let last = 0;
  let found = false;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
      continue;
    }
    if (c === 34) {
      inStr = true;
      continue;
    }
    let len = 0;
    if (c === 78 && text.startsWith('NaN', i)) len = 3;
    else if (c === 73 && text.startsWith('Infinity', i)) len = 8;
    else if (c === 45 && text.startsWith('-Infinity', i)) len = 9;
    if (len) {
      out += text.slice(last, i) + 'null';
      last = i + len;
      i += len - 1;
      found = true;
    }
  }
  return found ? out + text.slice(last) : null;
}

/** Parse like Python's json.loads; throws SyntaxError like JSON.parse. */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!LITERAL.test(text)) throw e;
    const fixed = replacePythonLiterals(text);
    if (fixed === null) throw e;
    return JSON.parse(fixed);
  }
}

// Python float repr / json.dumps layout (spec §9.7), checked against CPython when available.
import { describe, expect, it } from 'vitest';
import { formatPyFloat, formatPyNum, pyJsonObject, pyFloat, pyInt } from '../../src/prepare/pynum.js';
import { describeInterop, runPython } from '../helpers/oracle.js';

const CASES: [number, string][] = [
  [1, '1.0'], [0, '0.0'], [0.4166666666666667, '0.4166666666666667'], [1e-5, '1e-05'], [1e16, '1e+16'],
  [1.2345678901234568e17, '1.2345678901234568e+17'], [0.0001, '0.0001'], [1e15, '1000000000000000.0'],
  [2 / 3, '0.6666666666666666'], [2.4576000000000002, '2.4576000000000002'], [489209.67744680855, '489209.67744680855'],
  [-1.5, '-1.5'], [123456789012345680, '1.2345678901234568e+17'], [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'],
];

describe('formatPyFloat', () => {
  for (const [x, s] of CASES) it(`${x} → ${s}`, () => expect(formatPyFloat(x)).toBe(s));
  it('json.dumps layout', () => {
    expect(pyJsonObject([['a', pyInt(1)], ['b', pyFloat(2)]])).toBe('{"a": 1, "b": 2.0}');
    expect(formatPyNum(pyInt(2411939))).toBe('2411939');
  });
});

describeInterop([], 'formatPyFloat vs CPython repr', () => {
  it('matches repr() on 2000 values', () => {
    const xs: number[] = [];
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 2000; i++) xs.push((rnd() - 0.3) * 10 ** Math.floor(rnd() * 44 - 22));
    const py = runPython('import json,sys\nfor x in json.load(sys.stdin): print(repr(float(x)))', { input: JSON.stringify(xs) }).trim().split('\n');
    expect(xs.map(formatPyFloat)).toEqual(py);
  });
});

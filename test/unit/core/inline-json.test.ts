import { expect } from 'chai';
import { inlineJson } from '../../../server/core/view-helpers.ts';

describe('inlineJson (the {{json}} view helper)', () => {
  it('writes < > & U+2028 U+2029 as \\u escapes and parses back to the same value', () => {
    const value = {
      name: '</script><meta http-equiv=refresh content=0;url=/?x=1>',
      other: ['<!--<script>', ']]>', 'a & b', 'line\u2028para\u2029end', '"\\\'', 'città ✓'],
      n: 3,
      none: null,
    };
    const json = inlineJson(value);
    expect(json).to.not.match(/[<>&\u2028\u2029]/);
    expect(json).to.include('\\u003c/script\\u003e');
    expect(JSON.parse(json)).to.deep.equal(value);
  });

  it('writes null for a missing value', () => {
    expect(inlineJson(undefined)).to.equal('null');
  });
});

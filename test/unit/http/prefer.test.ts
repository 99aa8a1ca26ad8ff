import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrefer, prefersAsync } from '../../../src/http/prefer.ts';

describe('parsePrefer', () => {
  it('reads comma-separated preferences with values and parameters', () => {
    const prefs = parsePrefer('respond-async, wait=10, handling=lenient; foo="a;b,c"; bar');
    assert.deepEqual([...prefs.keys()], ['respond-async', 'wait', 'handling']);
    assert.deepEqual(prefs.get('respond-async'), { name: 'respond-async', value: undefined, params: {} });
    assert.equal(prefs.get('wait')?.value, '10');
    assert.deepEqual(prefs.get('handling')?.params, { foo: 'a;b,c', bar: undefined });
  });

  it('matches names case-insensitively and tolerates whitespace', () => {
    assert.ok(parsePrefer('  Respond-Async  ').has('respond-async'));
    assert.ok(parsePrefer('wait = 5 ,RESPOND-ASYNC ; x=1').has('respond-async'));
    assert.equal(parsePrefer('WAIT = "5"').get('wait')?.value, '5');
  });

  it('keeps the first occurrence of a preference', () => {
    assert.equal(parsePrefer('wait=1, wait=2').get('wait')?.value, '1');
  });

  it('skips empty and malformed entries without failing', () => {
    assert.deepEqual([...parsePrefer(', ,="x", a b, return=minimal').keys()], ['return']);
    assert.equal(parsePrefer('').size, 0);
    assert.equal(parsePrefer(undefined).size, 0);
    assert.deepEqual([...parsePrefer('x="unterminated, y').keys()], ['x']);
  });

  it('does not see respond-async inside a quoted value or as part of another name', () => {
    assert.equal(prefersAsync('foo="respond-async"'), false);
    assert.equal(prefersAsync('respond-asynchronously'), false);
    assert.equal(prefersAsync('return=representation'), false);
    assert.equal(prefersAsync('wait=10, respond-async'), true);
    assert.equal(prefersAsync('respond-async; foo=bar'), true);
  });
});

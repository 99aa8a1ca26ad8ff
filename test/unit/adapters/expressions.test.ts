import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Expressions } from '../../../src/adapters/expressions.ts';

describe('Expressions', () => {
  it('puts every name and value behind a placeholder, one per name however often it is used', () => {
    const x = new Expressions();
    const condition = `${x.name('status')} = ${x.value('queued')} AND ${x.name('owner')} = ${x.value('a')}`;
    const update = x.update({
      set: { status: 'cancelled', cancelled_at: 't', skipped: undefined },
      add: { attempts: 1 },
      append: { log: [{ at: 1 }] },
      remove: ['active_owner'],
    });
    assert.equal(condition, '#n0 = :v0 AND #n1 = :v1');
    assert.equal(
      update,
      'SET #n0 = :v2, #n2 = :v3, #n3 = if_not_exists(#n3, :v4) + :v5, #n4 = list_append(if_not_exists(#n4, :v6), :v7) REMOVE #n5',
    );
    assert.deepEqual(x.attributes(), {
      ExpressionAttributeNames: {
        '#n0': 'status',
        '#n1': 'owner',
        '#n2': 'cancelled_at',
        '#n3': 'attempts',
        '#n4': 'log',
        '#n5': 'active_owner',
      },
      ExpressionAttributeValues: {
        ':v0': 'queued',
        ':v1': 'a',
        ':v2': 'cancelled',
        ':v3': 't',
        ':v4': 0,
        ':v5': 1,
        ':v6': [],
        ':v7': [{ at: 1 }],
      },
    });
  });

  it('leaves out what is empty: no SET without sets, no empty attribute maps', () => {
    const x = new Expressions();
    assert.equal(x.update({ remove: ['a'] }), 'REMOVE #n0');
    assert.deepEqual(x.attributes(), { ExpressionAttributeNames: { '#n0': 'a' } });
    assert.deepEqual(new Expressions().attributes(), {});
  });
});

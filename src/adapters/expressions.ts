/**
 * DynamoDB expressions with every attribute name and value behind a placeholder, so reserved words
 * (`status`, `owner`) and values never need escaping by hand. One builder holds the placeholders of a
 * whole request: its condition and its update share them.
 */
export class Expressions {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #nameKeys = new Map<string, string>();

  /** `#nN` for `attribute`, the same placeholder each time it is named. */
  name(attribute: string): string {
    let key = this.#nameKeys.get(attribute);
    if (!key) {
      key = `#n${this.#nameKeys.size}`;
      this.#nameKeys.set(attribute, key);
      this.names[key] = attribute;
    }
    return key;
  }

  /** `:vN` for `value`. */
  value(value: unknown): string {
    const key = `:v${Object.keys(this.values).length}`;
    this.values[key] = value;
    return key;
  }

  /**
   * An UpdateExpression: `set` assigns (undefined values are skipped), `add` adds to a number that may
   * not exist yet, `append` appends to a list that may not exist yet, `remove` deletes attributes.
   */
  update(spec: {
    set?: Record<string, unknown>;
    add?: Record<string, number>;
    append?: Record<string, unknown[]>;
    remove?: string[];
  }): string {
    const sets = Object.entries(spec.set ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([attribute, value]) => `${this.name(attribute)} = ${this.value(value)}`);
    for (const [attribute, amount] of Object.entries(spec.add ?? {})) {
      const n = this.name(attribute);
      sets.push(`${n} = if_not_exists(${n}, ${this.value(0)}) + ${this.value(amount)}`);
    }
    for (const [attribute, items] of Object.entries(spec.append ?? {})) {
      const n = this.name(attribute);
      sets.push(`${n} = list_append(if_not_exists(${n}, ${this.value([])}), ${this.value(items)})`);
    }
    const removes = (spec.remove ?? []).map((attribute) => this.name(attribute));
    return [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
  }

  /** The names and values for a command, omitting empty maps (DynamoDB refuses them). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    return {
      ...(Object.keys(this.names).length ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/**
 * The `Prefer` request header (RFC 7240). A preference is a token, optionally `=` a value, then
 * optional `;` parameters; several are separated by commas, and several Prefer headers amount to one
 * comma-joined list. Names are case-insensitive; values may be quoted strings (which may hold commas
 * and semicolons). The first occurrence of a preference wins (RFC 7240 §2).
 */
export interface Preference {
  /** Lowercased. */
  name: string;
  /** Unquoted; undefined when the preference has no `=`. */
  value: string | undefined;
  /** Lowercased names, unquoted values (undefined without `=`). */
  params: Record<string, string | undefined>;
}

/** Splits on `separator` outside double-quoted strings (a backslash escapes inside them). */
const splitOutsideQuotes = (text: string, separator: string): string[] => {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (quoted && ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i += 1;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
};

const unquote = (value: string): string =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replace(/\\(.)/g, '$1')
    : value;

/** `name[=value]`, both trimmed; the name lowercased. */
const nameValue = (text: string): [string, string | undefined] => {
  const eq = text.indexOf('=');
  if (eq === -1) return [text.trim().toLowerCase(), undefined];
  return [text.slice(0, eq).trim().toLowerCase(), unquote(text.slice(eq + 1).trim())];
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The preferences of a Prefer header value, by name. Malformed entries are skipped: a preference the
 * server does not understand must be ignored, never refused.
 *
 * @example
 * parsePrefer('respond-async, wait=10').get('respond-async'); // { name: 'respond-async', value: undefined, params: {} }
 */
export const parsePrefer = (header: string | undefined): Map<string, Preference> => {
  const preferences = new Map<string, Preference>();
  if (!header) return preferences;
  for (const entry of splitOutsideQuotes(header, ',')) {
    const [head = '', ...rest] = splitOutsideQuotes(entry, ';');
    const [name, value] = nameValue(head);
    if (!TOKEN.test(name) || preferences.has(name)) continue;
    const params: Record<string, string | undefined> = {};
    for (const param of rest) {
      const [paramName, paramValue] = nameValue(param);
      if (TOKEN.test(paramName)) params[paramName] = paramValue;
    }
    preferences.set(name, { name, value, params });
  }
  return preferences;
};

/** True when the header asks for an asynchronous answer (`respond-async`, with or without parameters). */
export const prefersAsync = (header: string | undefined): boolean => parsePrefer(header).has('respond-async');

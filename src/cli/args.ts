import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command line the CLI cannot act on: exit code 2, with the command's help hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'api-url': { type: 'string' },
  'api-key': { type: 'string' },
} as const satisfies OptionSpec;

export const COMMON_HELP = `Common options:
  --api-url <url>   the API's base URL (default: $PODPDF_API_URL)
  --api-key <key>   the API key (default: $PODPDF_API_KEY)
  -h, --help        show this help`;

/**
 * `util.parseArgs`, strict, with positionals; its errors (unknown option, missing value) become
 * UsageErrors. Values keep the option spec's types.
 */
export const parse = <T extends OptionSpec>(argv: string[], options: T) => {
  try {
    return parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(error.message);
    throw error;
  }
};

/** Exactly `count` positionals, named for the message. */
export const positionals = (values: string[], names: string[]): string[] => {
  if (values.length < names.length)
    throw new UsageError(`missing ${names.slice(values.length).join(' and ')}`);
  if (values.length > names.length) throw new UsageError(`unexpected argument: ${values[names.length]}`);
  return values;
};

/** A number option: finite, and an integer when asked. */
export const numberOption = (
  name: string,
  value: string | undefined,
  integer = false,
): number | undefined => {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number)))
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got "${value}"`);
  return number;
};

/**
 * `--margin` as in CSS: one value for every side, two (vertical, horizontal), three (top, horizontal,
 * bottom) or four (top, right, bottom, left), separated by spaces or commas.
 */
export const marginOption = (
  value: string | undefined,
): { top: string; right: string; bottom: string; left: string } | undefined => {
  if (value === undefined) return undefined;
  const parts = value.split(/[\s,]+/).filter(Boolean);
  const [a, b = a, c = a, d = b] = parts;
  if (!a || parts.length > 4) throw new UsageError(`--margin takes 1 to 4 CSS lengths, got "${value}"`);
  return { top: a, right: b as string, bottom: c as string, left: d as string };
};

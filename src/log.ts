/** JSON-lines logger: one object per line, so CloudWatch Logs Insights can query the fields. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

/** The values PODPDF_LOG_LEVEL takes, quietest last. */
export const LOG_LEVELS = Object.keys(LEVELS) as [keyof typeof LEVELS, ...(keyof typeof LEVELS)[]];

const threshold = (): number => {
  const configured = process.env.PODPDF_LOG_LEVEL as keyof typeof LEVELS | undefined;
  return LEVELS[configured ?? 'info'] ?? LEVELS.info;
};

const describe = (value: unknown): unknown =>
  value instanceof Error
    ? { name: value.name, message: value.message, stack: value.stack, cause: describe(value.cause) }
    : value;

const write = (level: Level, message: string, fields: Record<string, unknown> = {}): void => {
  if (LEVELS[level] < threshold()) return;
  const entry: Record<string, unknown> = { level, time: new Date().toISOString(), message };
  for (const [key, value] of Object.entries(fields)) entry[key] = describe(value);
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(
    `${JSON.stringify(entry)}\n`,
  );
};

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};

import * as z from 'zod';
import { describeSettingIssues } from '../config.ts';
import { LOG_LEVELS } from '../log.ts';

/**
 * The settings `npm start` reads, checked before anything starts so a typo gets one line naming the
 * variable rather than a stack trace from whatever first used it. The handlers' own settings
 * (config.ts) are checked once the stack has set them.
 */
const flag = z.enum(['true', 'false'], { error: 'must be "true" or "false"' });
const endpoint = z.url({ protocol: /^https?$/, error: 'must be an http:// URL' });
const PORT_RANGE = 'must be a port number from 0 to 65535 (0 picks a free one)';

const settingsSchema = z.object({
  PODPDF_PORT: z
    .string()
    .regex(/^\d{1,5}$/, PORT_RANGE)
    .transform(Number)
    .pipe(z.number().max(65_535, PORT_RANGE))
    .default(3000),
  PODPDF_DEV_API_KEYS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[\x21-\x7e]+$/, 'keys are printable ASCII without spaces'))),
  PODPDF_DATA_DIR: z.string().min(1, 'must be a directory path when set').optional(),
  PODPDF_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  PODPDF_PREWARM_BROWSER: flag.optional(),
  PODPDF_DYNAMODB_ENDPOINT: endpoint.optional(),
  PODPDF_AWS_ENDPOINT: endpoint.optional(),
});

export type LocalSettings = z.infer<typeof settingsSchema>;

/** A setting that is not valid: the message is one line per variable, ready to print. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** The local stack's settings from `env`; SettingsError naming each bad variable otherwise. */
export const readLocalSettings = (env: Record<string, string | undefined>): LocalSettings => {
  // An empty variable counts as unset, as a shell user means by `PODPDF_PORT= npm start`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = settingsSchema.safeParse(present);
  if (!result.success) throw new SettingsError(describeSettingIssues(result.error, env));
  const { PODPDF_DYNAMODB_ENDPOINT: dynamodb, PODPDF_AWS_ENDPOINT: aws } = result.data;
  if ((dynamodb === undefined) !== (aws === undefined))
    throw new SettingsError(
      'PODPDF_DYNAMODB_ENDPOINT and PODPDF_AWS_ENDPOINT go together: set both (npm run emulators prints them) or neither',
    );
  return result.data;
};

import type * as z from 'zod';
import { errors } from './errors.ts';

/**
 * Validates `input` against `schema`; failures become VALIDATION_FAILED (or the error `toError`
 * builds, such as INVALID_QUERY) with every failing path.
 */
export const parseWith = <T extends z.ZodType>(
  schema: T,
  input: unknown,
  toError: (issues: Array<{ path: string; message: string }>) => Error = errors.validation,
): z.infer<T> => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw toError(
    result.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
      message: issue.message,
    })),
  );
};

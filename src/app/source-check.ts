import { getConfig } from '../config.ts';
import { errors } from '../domain/errors.ts';
import type { RenderInput } from '../domain/render-request.ts';
import { sourceUrlProblem } from '../net/source-url-policy.ts';

/** Refuses, before any job exists, a URL whose host is not a public address (or does not resolve). */
export const assertSourceAllowed = async (input: RenderInput): Promise<void> => {
  if (!('source' in input)) return;
  const problem = await sourceUrlProblem(input.source.url, getConfig().PODPDF_ALLOW_PRIVATE_NETWORK);
  if (problem) throw errors.urlNotAllowed(input.source.url, problem);
};

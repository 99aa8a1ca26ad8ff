import { errors, type JobFailureCode, type PodpdfError } from '../domain/errors.ts';
import { LOADED_IMAGE_LIMITS, RENDERER_MEMORY_CAP_BYTES } from '../domain/limits.ts';
import {
  BrowserLaunchError,
  ConsoleExceptionError,
  ImageTooLargeError,
  PageRangeError,
  RenderMemoryError,
  RenderTimeoutError,
  ResourceLoadingError,
  SourceHttpError,
  SourceUnreachableError,
  WaitError,
} from '../renderer/render.ts';

/** What a failed render means, the same for quick and long jobs. */
export interface RenderFailure {
  /** The error a quick job answers with, and the code and message any job stores. */
  error: PodpdfError<JobFailureCode>;
  /**
   * The document's own doing: rendering it again fails the same way, so a long job fails for good.
   * Otherwise (Chromium crashed or would not start) a long job is delivered again.
   */
  final: boolean;
  /** The deadline passed: a quick job's row is `timeout` rather than `failed`. */
  timedOut: boolean;
}

export interface RenderFailureContext {
  /** The request's `options.pageRanges`, named in the page-range error. */
  pageRanges: string | undefined;
  /** For a quick job: its cap and the part of it the render had, named in its 408. */
  quickjob?: { capMs: number; budgetMs: number };
}

/** The one mapping from the renderer's errors to podpdf's, for both job paths. */
export const renderFailure = (err: unknown, ctx: RenderFailureContext): RenderFailure => {
  if (err instanceof RenderTimeoutError) {
    const error = ctx.quickjob
      ? errors.quickjobTimeout(ctx.quickjob.capMs, ctx.quickjob.budgetMs, err.waitingFor)
      : errors.renderTimeout(err.waitingFor);
    return { error, final: true, timedOut: true };
  }
  const final = (error: PodpdfError<JobFailureCode>): RenderFailure => ({
    error,
    final: true,
    timedOut: false,
  });
  if (err instanceof PageRangeError) return final(errors.invalidPageRanges(ctx.pageRanges ?? ''));
  if (err instanceof RenderMemoryError) return final(errors.renderMemoryExceeded(RENDERER_MEMORY_CAP_BYTES));
  if (err instanceof ImageTooLargeError) return final(errors.loadedImageTooLarge(err, LOADED_IMAGE_LIMITS));
  if (err instanceof WaitError) return final(errors.waitFailed(err.wait, err.message));
  if (err instanceof ConsoleExceptionError) return final(errors.consoleException(err.exceptions));
  if (err instanceof ResourceLoadingError)
    return final(errors.resourceLoadingFailed(err.failures, err.count));
  if (err instanceof SourceHttpError) return final(errors.sourceHttpError(err.status, err.url));
  if (err instanceof SourceUnreachableError) return final(errors.sourceUnreachable(err.url, err.reason));
  const error =
    err instanceof BrowserLaunchError ? errors.rendererUnavailable(err) : errors.renderFailed(err);
  return { error, final: false, timedOut: false };
};

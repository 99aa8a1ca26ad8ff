import type { CDPSession, Protocol } from 'puppeteer-core';
import { type ImageSize, imageSize } from '../domain/image-size.ts';
import { LOADED_IMAGE_LIMITS } from '../domain/limits.ts';

/**
 * Network images are sized from their header before Chromium decodes them, as `data:` images are
 * before rendering: the proxy cannot (over `https:` it sees only a tunnel), but the page can pause
 * each image response, read it and let it go on. An image past the limits is refused there and fails
 * its document, before a 48 KB file decodes into gigabytes.
 */

export interface LoadedImage extends ImageSize {
  url: string;
}

/** A document loaded an image, or images, that decode past the limits; the load was refused. */
export class ImageTooLargeError extends Error {
  override name = 'ImageTooLargeError';
  /** The image past the one-image limit; undefined when the document's images together passed the total. */
  readonly image: LoadedImage | undefined;
  /** Distinct images sized so far in the document, and their pixels together. */
  readonly images: number;
  readonly pixels: number;
  constructor(image: LoadedImage | undefined, images: number, pixels: number) {
    super(
      image
        ? `${image.url} is a ${image.format} of ${image.width}×${image.height} pixels`
        : `${images} images of ${pixels} pixels together`,
    );
    this.image = image;
    this.images = images;
    this.pixels = pixels;
  }
}

export interface ImageGuard {
  /**
   * Starts a document in the page: its images are counted afresh, and `failed` rejects with
   * ImageTooLargeError as soon as one is refused. `end` stops counting for this document.
   */
  begin(): { failed: Promise<never>; end: () => void };
}

interface DocumentCount {
  urls: Set<string>;
  pixels: number;
  fail: (err: ImageTooLargeError) => void;
}

/** The verdict on one image response: undefined lets it through. */
const verdict = (count: DocumentCount, url: string, size: ImageSize): ImageTooLargeError | undefined => {
  const pixels = size.width * size.height;
  if (pixels > LOADED_IMAGE_LIMITS.image)
    return new ImageTooLargeError({ url, ...size }, count.urls.size + 1, pixels);
  if (count.urls.has(url)) return undefined; // Chromium decodes a URL it already holds once
  count.urls.add(url);
  count.pixels += pixels;
  if (count.pixels > LOADED_IMAGE_LIMITS.total)
    return new ImageTooLargeError(undefined, count.urls.size, count.pixels);
  return undefined;
};

/**
 * Pauses every image response of the page behind `session` (all its frames and workers share the
 * session's Fetch domain) at the response stage, sizes it from its body, and refuses it when it is too
 * large. A response that cannot be read is let through: the memory watchdog still bounds it.
 */
export const guardImages = async (session: CDPSession): Promise<ImageGuard> => {
  let current: DocumentCount | undefined;
  const release = (requestId: string) =>
    session.send('Fetch.continueRequest', { requestId }).catch(() => undefined);

  const check = async (event: Protocol.Fetch.RequestPausedEvent): Promise<void> => {
    const { requestId, responseStatusCode, request } = event;
    const count = current;
    if (!count || responseStatusCode === undefined || responseStatusCode < 200 || responseStatusCode > 299) {
      await release(requestId);
      return;
    }
    const body = await session.send('Fetch.getResponseBody', { requestId }).catch(() => undefined);
    const bytes = body && Buffer.from(body.body, body.base64Encoded ? 'base64' : 'utf8');
    const size = bytes ? imageSize(bytes, true) : undefined;
    const refused = size && size !== 'more' ? verdict(count, request.url, size) : undefined;
    if (!refused) {
      await release(requestId);
      return;
    }
    await session
      .send('Fetch.failRequest', { requestId, errorReason: 'BlockedByClient' })
      .catch(() => undefined);
    count.fail(refused);
  };

  session.on('Fetch.requestPaused', (event: Protocol.Fetch.RequestPausedEvent) => void check(event));
  await session.send('Fetch.enable', {
    patterns: [{ urlPattern: '*', resourceType: 'Image', requestStage: 'Response' }],
  });

  return {
    begin: () => {
      let fail: (err: ImageTooLargeError) => void = () => undefined;
      const failed = new Promise<never>((_, reject) => {
        fail = reject;
      });
      failed.catch(() => undefined);
      const count: DocumentCount = { urls: new Set(), pixels: 0, fail };
      current = count;
      return {
        failed,
        end: () => {
          if (current === count) current = undefined;
        },
      };
    },
  };
};

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, errors, type PodpdfError, toPodpdfError } from '../../../src/domain/errors.ts';

describe('errors', () => {
  it('gives each client error a stable code and status', () => {
    const cases: Array<[PodpdfError, string, number]> = [
      [errors.invalidJson('x'), 'INVALID_JSON', 400],
      [errors.validation([]), 'VALIDATION_FAILED', 400],
      [errors.unsupportedMediaType('text/plain'), 'UNSUPPORTED_MEDIA_TYPE', 415],
      [errors.unauthorized('missing'), 'UNAUTHORIZED', 401],
      [errors.unauthorized('unknown'), 'UNAUTHORIZED', 401],
      [errors.payloadTooLarge(10, 11), 'PAYLOAD_TOO_LARGE', 413],
      [errors.pdfTooLarge(10, 11, 1), 'PDF_TOO_LARGE', 413],
      [errors.tooComplex(30_000, 25_000, {}), 'QUICKJOB_TOO_COMPLEX', 422],
      [errors.quickjobTimeout(30_000, 28_500, undefined), 'QUICKJOB_TIMEOUT', 408],
      [errors.invalidPageRanges('9'), 'INVALID_PAGE_RANGES', 400],
      [errors.waitFailed('waitForExpression', 'SyntaxError'), 'WAIT_FAILED', 422],
      [errors.consoleException(['boom']), 'CONSOLE_EXCEPTION', 422],
      [
        errors.resourceLoadingFailed([{ url: 'http://x/', reason: 'HTTP 404' }], 1),
        'RESOURCE_LOADING_FAILED',
        422,
      ],
      [
        errors.imageTooLarge({ source: 'html', index: 1, offset: 0, format: 'PNG', width: 9, height: 9 }, 80),
        'IMAGE_TOO_LARGE',
        400,
      ],
      [errors.imagesTooLarge(3, 90, 80), 'IMAGE_TOO_LARGE', 400],
      [errors.documentTooComplex('html', 'elements', 9, 8), 'DOCUMENT_TOO_COMPLEX', 400],
      [errors.documentTooComplex('html', 'depth', 9, 8), 'DOCUMENT_TOO_COMPLEX', 400],
      [errors.renderFailed(new Error('x')), 'RENDER_FAILED', 502],
      [errors.rendererUnavailable(new Error('x')), 'RENDERER_UNAVAILABLE', 503],
      [errors.renderMemoryExceeded(1), 'RENDER_MEMORY_EXCEEDED', 422],
      [
        errors.loadedImageTooLarge(
          {
            image: { url: 'https://a.example/x.png', format: 'PNG', width: 9, height: 9 },
            images: 1,
            pixels: 81,
          },
          { image: 80, total: 160 },
        ),
        'IMAGE_TOO_LARGE',
        422,
      ],
      [
        errors.loadedImageTooLarge({ image: undefined, images: 3, pixels: 200 }, { image: 80, total: 160 }),
        'IMAGE_TOO_LARGE',
        422,
      ],
      [errors.webhookSecretMissing(), 'VALIDATION_FAILED', 400],
    ];
    for (const [err, code, status] of cases) {
      assert.equal(err.code, code);
      assert.equal(err.status, status);
      assert.ok(Object.values(ErrorCode).includes(err.code));
    }
  });

  it('points slow and large documents to /longjob', () => {
    for (const err of [
      errors.quickjobTimeout(30_000, 28_500, undefined),
      errors.pdfTooLarge(1, 2, 3),
      errors.tooComplex(1, 1, {}),
    ]) {
      assert.match(err.message, /\/longjob/);
      assert.equal((err.details as { use: string }).use, '/longjob');
    }
  });

  it('hides unknown failures behind INTERNAL_ERROR but keeps the cause', () => {
    const cause = new Error('secret stack detail');
    const err = toPodpdfError(cause);
    assert.equal(err.code, 'INTERNAL_ERROR');
    assert.equal(err.status, 500);
    assert.doesNotMatch(err.message, /secret/);
    assert.equal(err.cause, cause);
  });
});

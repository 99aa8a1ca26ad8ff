import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { renderOptionsSchema } from '../domain/render-request.ts';

/**
 * The web console: one page, one stylesheet, one script module, served from the same origin as the
 * API so it needs no CORS and its Content-Security-Policy can allow 'self' only. The files live in
 * console/ at the project root: from src/console/ here (local stack) and from dist/runtime/ (the
 * deployed bundle, whose import.meta.url is its own) that is the same `../../console/`.
 */
const CONSOLE_DIR = new URL('../../console/', import.meta.url);

/**
 * Nothing loads from anywhere but this origin; no inline script or style; the rendered PDF is shown
 * from a blob: URL in a frame (frame-src, object-src); the page itself may not be framed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  'frame-src blob:',
  'object-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Revalidated on every load, so a deployment's new console is picked up at once.
  'cache-control': 'no-cache',
};

export interface ConsoleAsset {
  contentType: string;
  body: string;
}

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/** The name the options form is generated from (see `renderOptionsJsonSchema`). */
export const SCHEMA_FILE = 'render-options.schema.json';

/**
 * The render options as a JSON Schema of what a request may send, from the same zod schema that
 * validates them: the console's options form is built from it, so it offers exactly what the API
 * takes. Rules zod cannot express in JSON Schema (cross-field checks) are left to the API's answer.
 */
export const renderOptionsJsonSchema = (): unknown =>
  z.toJSONSchema(renderOptionsSchema, { io: 'input', unrepresentable: 'any' });

const cache = new Map<string, ConsoleAsset>();

/** The asset named `file`, or undefined for any name the console does not have. */
export const consoleAsset = (file: string): ConsoleAsset | undefined => {
  const cached = cache.get(file);
  if (cached) return cached;
  let asset: ConsoleAsset | undefined;
  if (file === SCHEMA_FILE) {
    asset = {
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(renderOptionsJsonSchema()),
    };
  } else if (Object.hasOwn(FILES, file)) {
    asset = { contentType: FILES[file] as string, body: readFileSync(new URL(file, CONSOLE_DIR), 'utf8') };
  }
  if (asset) cache.set(file, asset);
  return asset;
};

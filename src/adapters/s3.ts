import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { getConfig } from '../config.ts';
import { pdfContentDisposition } from '../domain/content-disposition.ts';

let client: S3Client | undefined;

/** One S3 client per process (path-style against the emulator, virtual-hosted on AWS). */
export const getS3Client = (): S3Client => {
  if (client) return client;
  const config = getConfig();
  client = new S3Client({
    region: config.AWS_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
  });
  return client;
};

export const inputKey = (jobId: string): string => `inputs/${jobId}.html`;
/** Where a URL job's page, headers and cookies are kept (as JSON) for POST /jobs/{job_id}/retry. */
export const sourceInputKey = (jobId: string): string => `inputs/${jobId}.source.json`;
export const pdfKey = (jobId: string): string => `pdfs/${jobId}.pdf`;

/** Stores one object under inputs/: private, encrypted, deleted with the bucket's lifecycle. */
const putInputObject = async (
  key: string,
  body: string,
  contentType: string,
  signal?: AbortSignal,
): Promise<string> => {
  await getS3Client().send(
    new PutObjectCommand({
      Bucket: getConfig().PDF_BUCKET,
      Key: key,
      Body: body,
      ContentType: contentType,
      ServerSideEncryption: 'AES256',
    }),
    signal ? { abortSignal: signal } : {},
  );
  return key;
};

export const putInput = (jobId: string, html: string, signal?: AbortSignal): Promise<string> =>
  putInputObject(inputKey(jobId), html, 'text/html; charset=utf-8', signal);

/** Stores a URL job's source (JSON text) beside where HTML inputs go; same encryption and expiry. */
export const putSourceInput = (jobId: string, json: string, signal?: AbortSignal): Promise<string> =>
  putInputObject(sourceInputKey(jobId), json, 'application/json', signal);

/** The stored input (HTML, or a source's JSON), or undefined when the object does not exist. */
export const getInput = async (key: string): Promise<string | undefined> => {
  try {
    const result = await getS3Client().send(
      new GetObjectCommand({ Bucket: getConfig().PDF_BUCKET, Key: key }),
    );
    return await result.Body?.transformToString('utf8');
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
};

export const deleteObject = async (key: string): Promise<void> => {
  await getS3Client().send(new DeleteObjectCommand({ Bucket: getConfig().PDF_BUCKET, Key: key }));
};

/**
 * Stores a job's PDF. Its Content-Disposition (`filename`, else "{jobId}.pdf") is stored with it, so
 * every presigned URL serves it, however late it is signed.
 */
export const putPdf = async (jobId: string, pdf: Uint8Array, filename?: string): Promise<string> => {
  const key = pdfKey(jobId);
  await getS3Client().send(
    new PutObjectCommand({
      Bucket: getConfig().PDF_BUCKET,
      Key: key,
      Body: pdf,
      ContentType: 'application/pdf',
      ContentDisposition: pdfContentDisposition(jobId, filename),
      ServerSideEncryption: 'AES256',
    }),
  );
  return key;
};

/** A GET URL for `key` valid for PODPDF_PRESIGN_EXPIRES_S, and when it expires. */
export const presignPdf = async (
  key: string,
  now = new Date(),
): Promise<{ url: string; expiresAt: string }> => {
  const expiresIn = getConfig().PODPDF_PRESIGN_EXPIRES_S;
  const url = await getSignedUrl(
    getS3Client(),
    new GetObjectCommand({ Bucket: getConfig().PDF_BUCKET, Key: key }),
    {
      expiresIn,
      signingDate: now,
    },
  );
  return { url, expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString() };
};

/**
 * Resolves once S3 has answered for the bucket: a key that does not exist (404), or one the caller may
 * not read (403), is an answer; a network failure or a timeout is not.
 */
export const probeBucket = async (signal: AbortSignal): Promise<void> => {
  try {
    await getS3Client().send(new HeadObjectCommand({ Bucket: getConfig().PDF_BUCKET, Key: 'health/probe' }), {
      abortSignal: signal,
    });
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 && status !== 403) throw err;
  }
};

/**
 * `Content-Disposition: inline` naming a download (RFC 6266). A name that is not plain ASCII gets an
 * ASCII fallback in `filename` (accents dropped, other characters "_") and the exact name, UTF-8 and
 * percent-encoded, in `filename*` (RFC 8187), which browsers prefer. The value is ASCII either way,
 * as HTTP headers and S3 metadata need.
 */
export const contentDisposition = (filename: string): string => {
  const fallback = filename
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (fallback === filename) return `inline; filename="${filename}"`;
  // attr-char allows fewer characters than encodeURIComponent leaves alone.
  const encoded = encodeURIComponent(filename).replace(
    /[*'()]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `inline; filename="${fallback}"; filename*=UTF-8''${encoded}`;
};

/** The name a job's PDF is served under: the request's `filename`, else "{job_id}.pdf". */
export const pdfContentDisposition = (jobId: string, filename: string | undefined): string =>
  contentDisposition(filename ?? `${jobId}.pdf`);

/**
 * A printed PDF in the form Chromium handed it over: base64 (a print answered in one protocol
 * message, as quick jobs print) or bytes (a print read as a stream, as long jobs print). The other form
 * is made only when asked for, once. A quick job's Lambda response carries base64, so it answers with
 * Chromium's own string: no decoding the whole file and encoding it again, and the page count reads
 * only the few slices it needs.
 */
export class PdfFile {
  #bytes: Uint8Array | undefined;
  #base64: string | undefined;
  readonly byteLength: number;

  private constructor(bytes: Uint8Array | undefined, base64: string | undefined, byteLength: number) {
    this.#bytes = bytes;
    this.#base64 = base64;
    this.byteLength = byteLength;
  }

  static ofBytes(bytes: Uint8Array): PdfFile {
    return new PdfFile(bytes, undefined, bytes.byteLength);
  }

  /** `base64`: standard alphabet with padding, no line breaks (what Chromium sends). */
  static ofBase64(base64: string): PdfFile {
    if (base64.length % 4 !== 0) return PdfFile.ofBytes(new Uint8Array(Buffer.from(base64, 'base64')));
    const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
    return new PdfFile(undefined, base64, (base64.length / 4) * 3 - padding);
  }

  /**
   * This file followed by `tail`, in the form this one is in. Of base64, only the last partial group
   * is decoded and encoded again with `tail`; the rest of the string is kept as it is.
   */
  append(tail: Uint8Array): PdfFile {
    if (this.#base64 === undefined) return PdfFile.ofBytes(new Uint8Array(Buffer.concat([this.bytes, tail])));
    const whole = Math.floor(this.byteLength / 3) * 4;
    const rest = Buffer.from(this.#base64.slice(whole), 'base64');
    return PdfFile.ofBase64(this.#base64.slice(0, whole) + Buffer.concat([rest, tail]).toString('base64'));
  }

  get bytes(): Uint8Array {
    this.#bytes ??= new Uint8Array(Buffer.from(this.#base64 ?? '', 'base64'));
    return this.#bytes;
  }

  get base64(): string {
    if (this.#base64 === undefined) {
      const bytes = this.bytes;
      this.#base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    return this.#base64;
  }

  /** Bytes `start` to `end` (clamped to the file) as latin1 text; of base64, only that part is decoded. */
  latin1(start: number, end: number): string {
    const from = Math.max(0, Math.min(start, this.byteLength));
    const to = Math.max(from, Math.min(end, this.byteLength));
    if (this.#bytes || this.#base64 === undefined) {
      const bytes = this.bytes;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', from, to);
    }
    // Every 4 base64 characters are 3 bytes: decode the groups that cover the range.
    const firstGroup = Math.floor(from / 3);
    const chunk = Buffer.from(this.#base64.slice(firstGroup * 4, Math.ceil(to / 3) * 4), 'base64');
    return chunk.toString('latin1', from - firstGroup * 3, to - firstGroup * 3);
  }
}

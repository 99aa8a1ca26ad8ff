import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes: the process's streams, or a test's. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

export const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
};

/** Writes and waits for the stream to take it (stdout may be a slow pipe). */
export const write = (stream: Writable, data: string | Uint8Array): Promise<void> =>
  new Promise((resolve, reject) => stream.write(data, (error) => (error ? reject(error) : resolve())));

/**
 * One status line on stderr: on a terminal it is rewritten in place; elsewhere (a log, a pipe) each
 * change is a line of its own and repeats are dropped.
 */
export const statusLine = (stream: CliIo['stderr']) => {
  let last = '';
  let open = false;
  return {
    update(text: string): void {
      if (text === last) return;
      last = text;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
        open = true;
      } else stream.write(`${text}\n`);
    },
    /** Ends the rewritten line so later output starts on a fresh one. */
    done(): void {
      if (open) stream.write('\n');
      open = false;
    },
  };
};

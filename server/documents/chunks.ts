import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { inTenant, runWithTenant, type TenantRef } from '../tenancy/context';
import { select } from '../db/sql';

/** Bytes read from the database per query when a stored file is streamed. */
export const DOWNLOAD_CHUNK_BYTES = 512 * 1024;

/** Reads `length` bytes of a stored file from `offset` (0-based). */
export type ChunkReader = (offset: number, length: number) => Promise<Buffer>;

/** A stored file as the download knows it before sending a byte: its size and its hash. */
export interface StoredBytes {
  size: number;
  sha256: string;
}

/** The stored bytes did not match their size or their SHA-256 while being streamed. */
export class StoredFileCorruptError extends Error {
  constructor(readonly sha256: string, detail: string) {
    super(`Arquivo ${sha256} corrompido no banco: ${detail}`);
    this.name = 'StoredFileCorruptError';
  }
}

/**
 * A chunk reader over a BYTEA column of a tenant table: `sql` selects
 * `substring(<column> FROM $2 FOR $3) AS chunk` from the row whose key is `$1`. Each chunk is its
 * own short tenant transaction, in a fresh context (never the request's transaction, if one were
 * open), so no connection is held while the client is slow to take the bytes. Contents are
 * immutable once written (files by hash, finished PDFs), so reading them piecewise is consistent.
 */
export function tenantChunkReader(tenant: TenantRef, sql: string, key: string): ChunkReader {
  return (offset, length) =>
    runWithTenant(tenant, () =>
      inTenant(async (t) => {
        const [row] = await select<{ chunk: Buffer | null }>(t, sql, [key, offset + 1, length]);
        return row?.chunk ?? Buffer.alloc(0);
      }),
    );
}

/** The chunk reader of a file in `file_contents`. */
export function fileContentReader(tenant: TenantRef, sha256: string): ChunkReader {
  return tenantChunkReader(tenant, 'SELECT substring(content FROM $2::int FOR $3::int) AS chunk FROM file_contents WHERE sha256 = $1', sha256);
}

/**
 * Streams a stored file chunk by chunk: the next chunk is read only when the consumer asks for
 * more (back-pressure), so at most about one chunk is buffered whatever the file's size.
 *
 * The SHA-256 is computed as the bytes go. Since the status and headers are gone by then, a
 * mismatch cannot become an error page: the last chunk is withheld and the stream fails, so the
 * client receives fewer bytes than the Content-Length promised (a failed download, never a silently
 * corrupt file), and the error names the hash for the log.
 */
export function chunkedFileStream(file: StoredBytes, readChunk: ChunkReader, chunkBytes = DOWNLOAD_CHUNK_BYTES): Readable {
  const hash = crypto.createHash('sha256');
  let offset = 0;
  const verified = (): Error | null => {
    const digest = hash.digest('hex');
    return digest === file.sha256 ? null : new StoredFileCorruptError(file.sha256, `SHA-256 lido ${digest}`);
  };
  return new Readable({
    highWaterMark: chunkBytes,
    read() {
      if (offset >= file.size) {
        const error = file.size === 0 ? verified() : null;
        if (error) this.destroy(error);
        else this.push(null);
        return;
      }
      const length = Math.min(chunkBytes, file.size - offset);
      readChunk(offset, length).then(
        (chunk) => {
          if (this.destroyed) return;
          if (chunk.length !== length) return this.destroy(new StoredFileCorruptError(file.sha256, `${chunk.length} bytes lidos em ${offset}, esperados ${length}`));
          hash.update(chunk);
          offset += length;
          if (offset === file.size) {
            const error = verified();
            if (error) return this.destroy(error);
          }
          this.push(chunk);
        },
        (err: Error) => this.destroy(err),
      );
    },
  });
}

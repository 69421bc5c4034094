import { pipeline } from 'node:stream/promises';
import { create as contentDisposition } from 'content-disposition';
import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { StoredFileCorruptError } from './chunks';

/** What a route needs to send a stored file: the service has already checked access. */
export interface FileDownload {
  name: string;
  mime: string;
  size: number;
  open(): Readable;
}

/**
 * Sends a stored file with its length, type and name (RFC 6266 / 8187 `filename*` for accented
 * names, an ASCII fallback for old clients), streamed with back-pressure. Once bytes have gone out
 * an error can only cut the connection: the client sees a failed download, the log says why (a
 * client that went away is not an error).
 */
export async function sendFile(req: Request, res: Response, file: FileDownload, disposition: 'attachment' | 'inline' = 'attachment'): Promise<void> {
  res.setHeader('Content-Type', file.mime);
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('Content-Disposition', contentDisposition(file.name, { type: disposition }));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  try {
    await pipeline(file.open(), res);
  } catch (err) {
    if (err instanceof StoredFileCorruptError) req.log?.error({ err, sha256: err.sha256 }, 'arquivo corrompido no banco: download interrompido');
    else if ((err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') req.log?.info('download interrompido pelo cliente');
    else req.log?.error({ err }, 'falha ao enviar arquivo: download interrompido');
  }
}

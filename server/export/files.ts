import crypto from 'node:crypto';
import fs from 'node:fs';

/** SHA-256 of a file on disk, read as a stream. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

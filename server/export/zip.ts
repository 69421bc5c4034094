import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ValidationError } from '../errors';

/** A ZIP archive being read (a tenant export, a Tramita package file): its entries by name. */
export interface Zip {
  entries: Map<string, yauzl.Entry>;
  open(name: string): Promise<Readable>;
  close(): void;
}

/** Opens a ZIP from a file path or from bytes in memory; every entry's declared size is checked as it is read. */
export async function openZip(source: string | Buffer): Promise<Zip> {
  const options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    const done = (err: Error | null, z: yauzl.ZipFile) => (err ? reject(err) : resolve(z));
    if (typeof source === 'string') yauzl.open(source, options, done);
    else yauzl.fromBuffer(source, options, done);
  });
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      entries.set(e.fileName, e);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return {
    entries,
    open: (name) => {
      const entry = entries.get(name);
      if (!entry) return Promise.reject(new ValidationError(`O arquivo não contém ${name}.`));
      return new Promise((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
    },
    close: () => zip.close(),
  };
}

export async function hashOf(stream: Readable): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

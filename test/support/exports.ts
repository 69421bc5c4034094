import crypto from 'node:crypto';
import yauzl from 'yauzl';
import type { Manifest } from '../../server/export/export';

/** Every entry of a zip with the SHA-256 of its bytes, and the parsed manifest. */
export function readArchive(file: string): Promise<{ sha: Map<string, string>; manifest: Manifest }> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const sha = new Map<string, string>();
      let manifest = '';
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (err2, stream) => {
          if (err2) return reject(err2);
          const hash = crypto.createHash('sha256');
          stream.on('data', (c: Buffer) => {
            hash.update(c);
            if (e.fileName === 'manifest.json') manifest += c.toString();
          });
          stream.on('end', () => {
            sha.set(e.fileName, hash.digest('hex'));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve({ sha, manifest: JSON.parse(manifest) as Manifest }));
      zip.on('error', reject);
      zip.readEntry();
    }),
  );
}

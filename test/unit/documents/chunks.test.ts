import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import { chunkedFileStream, StoredFileCorruptError, type ChunkReader } from '../../../server/documents/chunks';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** A reader over `bytes` that records each (offset, length) it is asked for. */
function recordingReader(bytes: Buffer): { reader: ChunkReader; reads: [number, number][] } {
  const reads: [number, number][] = [];
  return {
    reads,
    reader: async (offset, length) => {
      reads.push([offset, length]);
      await new Promise((r) => setImmediate(r));
      return Buffer.from(bytes.subarray(offset, offset + length));
    },
  };
}

/** A consumer that takes one chunk every `delayMs`, with a one-byte buffer (strong back-pressure). */
function slowSink(received: Buffer[], delayMs: number, onWrite: () => void = () => {}): Writable {
  return new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      received.push(chunk);
      onWrite();
      setTimeout(cb, delayMs);
    },
  });
}

describe('Unit - documents/chunks streamed file reads', () => {
  const bytes = crypto.randomBytes(10_000);

  it('reads a file larger than one chunk in successive ranges and returns exactly its bytes', async () => {
    const { reader, reads } = recordingReader(bytes);
    const received: Buffer[] = [];
    await pipeline(chunkedFileStream({ size: bytes.length, sha256: sha(bytes) }, reader, 3000), slowSink(received, 0));
    expect(reads).to.deep.equal([[0, 3000], [3000, 3000], [6000, 3000], [9000, 1000]]);
    expect(Buffer.compare(Buffer.concat(received), bytes)).to.equal(0);
  });

  it('reads only as fast as the consumer takes the bytes (back-pressure)', async () => {
    const { reader, reads } = recordingReader(bytes);
    const received: Buffer[] = [];
    let maxAhead = 0;
    const sink = slowSink(received, 5, () => {
      maxAhead = Math.max(maxAhead, reads.length - received.length);
    });
    const stream = chunkedFileStream({ size: bytes.length, sha256: sha(bytes) }, reader, 500);
    await new Promise((r) => setTimeout(r, 20));
    expect(reads, 'nothing is read before someone consumes').to.have.length(0);
    await pipeline(stream, sink);
    expect(reads).to.have.length(20);
    expect(maxAhead).to.be.at.most(2);
    expect(Buffer.compare(Buffer.concat(received), bytes)).to.equal(0);
  });

  it('fails without sending the last chunk when the bytes do not match their SHA-256', async () => {
    const corrupt = Buffer.from(bytes);
    corrupt[5000] ^= 0xff;
    const { reader } = recordingReader(corrupt);
    const received: Buffer[] = [];
    let error: unknown;
    await pipeline(chunkedFileStream({ size: bytes.length, sha256: sha(bytes) }, reader, 3000), slowSink(received, 0)).catch((e) => (error = e));
    expect(error).to.be.instanceOf(StoredFileCorruptError);
    expect(Buffer.concat(received).length).to.equal(9000);
  });

  it('fails when the stored bytes are shorter than announced', async () => {
    const { reader } = recordingReader(bytes.subarray(0, 7000));
    let error: unknown;
    await pipeline(chunkedFileStream({ size: bytes.length, sha256: sha(bytes) }, reader, 3000), slowSink([], 0)).catch((e) => (error = e));
    expect(error).to.be.instanceOf(StoredFileCorruptError);
    expect((error as Error).message).to.contain('1000 bytes lidos em 6000');
  });

  it('passes a database error on as the stream error', async () => {
    let error: unknown;
    const failing: ChunkReader = () => Promise.reject(new Error('conexão perdida'));
    await pipeline(chunkedFileStream({ size: 10, sha256: sha(bytes) }, failing, 3000), slowSink([], 0)).catch((e) => (error = e));
    expect((error as Error).message).to.equal('conexão perdida');
  });

  it('sends an empty file without reading, when its hash is the empty hash', async () => {
    const { reader, reads } = recordingReader(Buffer.alloc(0));
    const received: Buffer[] = [];
    await pipeline(chunkedFileStream({ size: 0, sha256: sha(Buffer.alloc(0)) }, reader), slowSink(received, 0));
    expect(reads).to.have.length(0);
    expect(received).to.have.length(0);
  });
});

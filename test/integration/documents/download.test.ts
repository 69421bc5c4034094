import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { chunkedFileStream, DOWNLOAD_CHUNK_BYTES, fileContentReader } from '../../../server/documents/chunks';
import { createExternalDocument, createInternalDocument } from '../../../server/documents/service';
import { sha256Hex } from '../../../server/documents/storage';
import { docWorld, inWorld, newProcess, passThrough, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePng } from '../../support/files';
import { binaryBody, csrfFrom, type Agent } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

/** A PNG followed by incompressible bytes: accepted as an image, larger than `bytes`. */
async function bigPng(bytes: number): Promise<Buffer> {
  return Buffer.concat([await samplePng(), crypto.randomBytes(bytes)]);
}

async function viewsOf(w: DocWorld, documentId: string): Promise<{ views: number; seen: boolean }> {
  const [r] = await tenantQuery<{ views: string; seen: boolean }>(
    w.tt,
    'SELECT (SELECT count(*) FROM document_views WHERE document_id = $1) AS views, seen_by_other_unit_at IS NOT NULL AS seen FROM documents WHERE id = $1',
    [documentId],
  );
  return { views: Number(r.views), seen: r.seen };
}

describe('Integration - document file downloads (streamed)', () => {
  let w: DocWorld;
  let clerk: Agent;
  let other: Agent;
  let basisId: string;

  const external = async (processId: string, buffer: Buffer, name: string, accessLevel: 'public' | 'restricted' = 'public') =>
    String(
      (
        await inWorld(w, () =>
          createExternalDocument(w.clerk, processId, {
            documentTypeId: w.docTypes['Anexo'], complement: null, documentDate: '2026-01-01', origin: 'digitalizado', sender: null,
            accessLevel, legalBasisId: accessLevel === 'public' ? null : basisId, file: { buffer, originalname: name },
          }),
        )
      ).id,
    );

  before(async () => {
    w = await docWorld(await createTestTenant());
    [{ id: basisId }] = await tenantQuery<{ id: string }>(w.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1');
    clerk = await loggedInAs(w.tt, 'clerk');
    other = await loggedInAs(w.tt, 'admin');
    const home = await other.get('/').expect(200);
    await other.post('/unidade-atual').type('form').send({ _csrf: csrfFrom(home.text), unitId: w.other.unitId }).expect(302);
  });

  it('streams a file of several chunks back byte for byte, with its accented name, type and length', async () => {
    const p = await newProcess(w);
    const bytes = await bigPng(Math.round(2.5 * DOWNLOAD_CHUNK_BYTES));
    const id = await external(p.id, bytes, 'Fotografia da reunião — ação nº 3.png');
    const res = await clerk.get(`/documentos/${id}/arquivo`).buffer(true).parse(binaryBody).expect(200);
    expect(sha256Hex(res.body as Buffer)).to.equal(sha256Hex(bytes));
    expect(res.headers['content-type']).to.equal('image/png');
    expect(res.headers['content-length']).to.equal(String(bytes.length));
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['cache-control']).to.equal('private, no-store');
    const disposition = res.headers['content-disposition'] as string;
    expect(disposition).to.match(/^attachment; /);
    expect(disposition).to.contain("filename*=UTF-8''Fotografia%20da%20reuni%C3%A3o%20%E2%80%94%20a%C3%A7%C3%A3o%20n%C2%BA%203.png");
    expect(disposition).to.match(/filename="[\x20-\x7e]+\.png"/);
    const inline = await clerk.get(`/documentos/${id}/arquivo?ver=1`).buffer(true).parse(binaryBody).expect(200);
    expect(inline.headers['content-disposition']).to.match(/^inline; /);
    expect(sha256Hex(inline.body as Buffer)).to.equal(sha256Hex(bytes));
  });

  it('reads the stored file in ranges of one chunk each from file_contents (STORAGE EXTERNAL)', async () => {
    const p = await newProcess(w);
    const bytes = await bigPng(300_000);
    const id = await external(p.id, bytes, 'pedacos.png');
    const [row] = await tenantQuery<{ file_sha256: string }>(w.tt, 'SELECT file_sha256 FROM documents WHERE id = $1', [id]);
    const read = fileContentReader(w.tt.tenant, row.file_sha256);
    const reads: number[] = [];
    const received: Buffer[] = [];
    await pipeline(
      chunkedFileStream({ size: bytes.length, sha256: row.file_sha256 }, (offset, length) => {
        reads.push(offset);
        return read(offset, length);
      }, 64 * 1024),
      new Writable({ write: (c: Buffer, _e, cb) => (received.push(c), cb()) }),
    );
    expect(reads).to.have.length(Math.ceil(bytes.length / (64 * 1024)));
    expect(Buffer.compare(Buffer.concat(received), bytes)).to.equal(0);
    const [storage] = await tenantQuery<{ attstorage: string }>(
      w.tt,
      "SELECT attstorage FROM pg_attribute WHERE attrelid = 'file_contents'::regclass AND attname = 'content'",
    );
    expect(storage.attstorage).to.equal('e');
  });

  it('records the view of another unit (which locks the document for its author) when it downloads', async () => {
    const p = await newProcess(w);
    await passThrough(w, p.id, w.other.unitId);
    const id = await external(p.id, await samplePng(), 'foto.png');
    await clerk.get(`/documentos/${id}/arquivo`).expect(200);
    expect(await viewsOf(w, id)).to.deep.equal({ views: 0, seen: false });
    await other.get(`/documentos/${id}/arquivo`).expect(200);
    expect(await viewsOf(w, id)).to.deep.equal({ views: 1, seen: true });
  });

  it('refuses a unit that may not read the process (403), unknown and internal documents (404), and records no view', async () => {
    const p = await newProcess(w);
    const restricted = await external(p.id, await samplePng(), 'restrito.png', 'restricted');
    const internal = String((await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }))).id);
    const refused = await other.get(`/documentos/${restricted}/arquivo`).expect(403);
    expect(refused.headers['content-type']).to.match(/^text\/html/);
    await clerk.get(`/documentos/${internal}/arquivo`).expect(404);
    await clerk.get('/documentos/999999999/arquivo').expect(404);
    await clerk.get('/documentos/abc/arquivo').expect(404);
    expect(await viewsOf(w, restricted)).to.deep.equal({ views: 0, seen: false });
    const stranger = await createTestTenant();
    const outsider = await loggedInAs(stranger, 'clerk');
    await outsider.get(`/documentos/${restricted}/arquivo`).expect(404);
  });

  it('cuts the download short (never a complete corrupt file) when the stored bytes no longer match their SHA-256', async () => {
    const p = await newProcess(w);
    const bytes = await bigPng(DOWNLOAD_CHUNK_BYTES + 1000);
    const id = await external(p.id, bytes, 'corrompido.png');
    await tenantQuery(w.tt, "UPDATE file_contents SET content = overlay(content PLACING '\\x00000000'::bytea FROM 100) WHERE sha256 = $1 RETURNING 1", [sha256Hex(bytes)]);
    const cookie = (await clerk.get('/').expect(200)).request.cookies;
    const server = http.createServer(testEnv().app).listen(0, '127.0.0.1');
    try {
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as AddressInfo;
      const outcome = await new Promise<{ status: number; length: string; received: number; error: string | null }>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/documentos/${id}/arquivo`, headers: { host: w.tt.host, cookie } }, (res) => {
          let received = 0;
          res.on('data', (c: Buffer) => (received += c.length));
          res.on('end', () => resolve({ status: res.statusCode!, length: String(res.headers['content-length']), received, error: null }));
          res.on('error', (e) => resolve({ status: res.statusCode!, length: String(res.headers['content-length']), received, error: e.message }));
        });
        req.on('error', (e) => resolve({ status: 0, length: '', received: 0, error: e.message }));
      });
      expect(outcome.status).to.equal(200);
      expect(outcome.length).to.equal(String(bytes.length));
      expect(outcome.error).to.equal('aborted');
      expect(outcome.received).to.equal(DOWNLOAD_CHUNK_BYTES);
    } finally {
      server.close();
    }
  });
});

import type { RequestHandler } from 'express';
import type { Config } from '../config';
import { DomainError } from '../errors';
import { qrDataUrl, verificationPageUrl, verificationUrl } from '../signatures/verification';
import { inTenant } from '../tenancy/context';
import { readableProcess } from './access';
import { actorFrom } from './actor';
import { openDocument, treeRows } from './service';
import { formatBytes } from './upload';

/**
 * Fills the "Documentos" slot of the process page (`GET /processos/:id`, rendered by the processes
 * feature): the document tree, the document actions, the effective access level and, with
 * `?documento=<id>`, that document opened in the page. Runs before the process routes and only adds
 * `res.locals.documentPanel`; a process the user may not read gets no panel (its page says why).
 */
export function documentPanel(config: Config): RequestHandler {
  return async (req, res, next) => {
    const match = /^\/processos\/([1-9][0-9]{0,17})$/.exec(req.path);
    if (req.method !== 'GET' || !match || req.user?.type !== 'user') return next();
    try {
      const actor = actorFrom(req);
      const processId = match[1];
      const { process, tree } = await inTenant(async (t) => {
        const process = await readableProcess(t, actor, processId);
        return { process, tree: await treeRows(t, processId, actor.unitId) };
      });
      const wanted = typeof req.query.documento === 'string' ? req.query.documento : null;
      let opened = null;
      if (wanted && tree.some((e) => e.id === wanted && e.readable)) {
        const doc = await openDocument(actor, wanted);
        const url = doc.crc ? verificationUrl(config, doc.verificationCode, doc.crc) : null;
        opened = {
          doc,
          verification: url ? { url, pageUrl: verificationPageUrl(config), qr: await qrDataUrl(url) } : null,
          fileSize: doc.fileSize ? formatBytes(Number(doc.fileSize)) : null,
          isImage: !!doc.fileMime?.startsWith('image/') && doc.fileMime !== 'image/tiff',
        };
      }
      res.locals.documentPanel = {
        process,
        tree: tree.map((e) => ({ ...e, current: e.id === wanted, href: `/processos/${processId}?documento=${e.id}#documento` })),
        opened,
        contaminated: process.effectiveLevel !== process.accessLevel,
      };
    } catch (err) {
      if (!(err instanceof DomainError)) return next(err);
    }
    next();
  };
}

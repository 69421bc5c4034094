import type { Config } from '../config';
import type { ProcessPageSlot } from '../processes/pageSlots';
import { qrDataUrl, verificationPageUrl, verificationUrl } from '../signatures/verification';
import { inTenant } from '../tenancy/context';
import { actorOf } from '../web/actor';
import { openDocument, treeRows } from './service';
import { formatBytes } from './upload';

/**
 * Fills the "Documentos" slot of the process page (`GET /processos/:id`, rendered by the processes
 * feature): the document tree, the document actions, the effective access level and, with
 * `?documento=<id>`, that document opened in the page. Runs inside the page's transaction, only for
 * a viewer who may read the process, and adds `res.locals.documentPanel`.
 */
export function documentPanel(config: Config): ProcessPageSlot {
  return async (req, res, process) => {
    const actor = actorOf(req);
    const tree = await inTenant((t) => treeRows(t, process.id, actor.unitId));
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
      process: { id: process.id, effectiveLevel: process.effectiveLevel, openInUnit: process.openHere },
      tree: tree.map((e) => ({ ...e, current: e.id === wanted, href: `/processos/${process.id}?documento=${e.id}#documento` })),
      opened,
      contaminated: process.effectiveLevel !== process.accessLevel,
    };
  };
}

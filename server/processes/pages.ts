import type { Request, Response } from 'express';
import { SECRECY_GRADES } from '../models';
import { inTenant } from '../tenancy/context';
import type { FieldErrors } from '../validation';
import { renderForm } from '../web/forms';
import type { Viewer } from './access';
import { ACCESS_LEVEL_OPTIONS } from './accessLevels';
import { processFormOptions } from './forms';
import { fillProcessPageSlots } from './pageSlots';
import { MAX_PARTIES, partiesFrom } from './validation';
import { processPage, type ProcessPage } from './view';

/** What the route files of the processes share: their assets, the viewer of a request, the process form. */

export const STYLES = ['/static/app/processes.css'];
export const SCRIPTS = ['/static/app/processes.js'];
export const GRADE_LABELS: Record<string, string> = { reservado: 'Reservado', secreto: 'Secreto', ultrassecreto: 'Ultrassecreto' };

function partyRows(values: Record<string, unknown>, errors: FieldErrors): object[] {
  const parties = partiesFrom(values);
  const count = Math.min(MAX_PARTIES, Math.max(3, parties.length));
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    number: i + 1,
    name: parties[i]?.name ?? '',
    document: parties[i]?.document ?? '',
    nameError: errors[`partyName${i}`],
    documentError: errors[`partyDocument${i}`],
  }));
}

/** "Iniciar processo" and "Alterar": the form with the user's input, its errors and their summary. */
export async function renderProcessForm(res: Response, view: string, extra: Record<string, unknown>, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200): Promise<void> {
  const options = await processFormOptions();
  renderForm(
    res,
    view,
    status,
    {
      stylesheets: STYLES,
      scripts: SCRIPTS,
      ...options,
      accessOptions: ACCESS_LEVEL_OPTIONS.map((o) => ({ ...o, checked: values.accessLevel === o.value })),
      grades: SECRECY_GRADES.map((g) => ({ value: g, label: GRADE_LABELS[g], selected: values.secrecyGrade === g })),
      parties: partyRows(values, errors),
      ...extra,
    },
    { values, errors },
  );
}

/** The process page's data and the slots other features fill (documents), in one tenant transaction. */
export async function processPageWithSlots(req: Request, res: Response, id: string, viewer: Viewer): Promise<ProcessPage> {
  return inTenant(async () => {
    const page = await processPage(id, viewer);
    if (page.canRead) await fillProcessPageSlots(req, res, { id: page.id, accessLevel: page.accessLevel, effectiveLevel: page.effectiveLevel, openHere: page.state.openHere });
    return page;
  });
}

import type { Request, Response } from 'express';
import type { AccessLevel } from '../models';

/**
 * Slots of the process page that other features fill (the documents feature fills "Documentos").
 * A slot runs inside the page's own tenant transaction, only for a viewer who may read the process,
 * and puts what it shows in `res.locals`.
 */
export interface ReadableProcess {
  id: string;
  accessLevel: AccessLevel;
  /** The most restrictive level among the process and its documents. */
  effectiveLevel: AccessLevel;
  /** Open in the viewer's current unit. */
  openHere: boolean;
}

export type ProcessPageSlot = (req: Request, res: Response, process: ReadableProcess) => Promise<void>;

const slots = new Map<string, ProcessPageSlot>();

/** Called when the app is built; registering a name again replaces its slot. */
export function registerProcessPageSlot(name: string, slot: ProcessPageSlot): void {
  slots.set(name, slot);
}

export async function fillProcessPageSlots(req: Request, res: Response, process: ReadableProcess): Promise<void> {
  for (const slot of slots.values()) await slot(req, res, process);
}

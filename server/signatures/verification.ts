import QRCode from 'qrcode';
import type { Config } from '../config';
import { requireTenant } from '../tenancy/context';
import { tenantUrl } from '../tenancy/urls';

export const AUTHENTICITY_PATH = '/conferir-autenticidade';

/** The public URL that checks one document (código verificador and CRC in the query). */
export function verificationUrl(config: Config, code: string, crc: string): string {
  return tenantUrl(config, requireTenant().slug, `${AUTHENTICITY_PATH}?codigo=${encodeURIComponent(code)}&crc=${encodeURIComponent(crc)}`);
}

export function verificationPageUrl(config: Config): string {
  return tenantUrl(config, requireTenant().slug, AUTHENTICITY_PATH);
}

/** Recently drawn QR codes: drawing one costs milliseconds of CPU, and a signed document's page is read often. */
const drawn = new Map<string, Promise<string>>();
const DRAWN_MAX = 1000;

/**
 * The QR code of the verification URL, as a data: URL (the CSP allows data: images) and as PNG bytes.
 * The data: URL is kept for the most recent URLs (a URL names one document's signed version; it is
 * public, printed on the document itself).
 */
export function qrDataUrl(url: string): Promise<string> {
  const hit = drawn.get(url);
  if (hit) {
    drawn.delete(url);
    drawn.set(url, hit);
    return hit;
  }
  const made = QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width: 144 });
  made.catch(() => drawn.delete(url));
  drawn.set(url, made);
  if (drawn.size > DRAWN_MAX) drawn.delete(drawn.keys().next().value as string);
  return made;
}

export function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 180 });
}

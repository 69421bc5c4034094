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

/** The QR code of the verification URL, as a data: URL (the CSP allows data: images) and as PNG bytes. */
export function qrDataUrl(url: string): Promise<string> {
  return QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width: 144 });
}

export function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 180 });
}

import crypto from 'node:crypto';
import zlib from 'node:zlib';

/** A random 10-digit código verificador (unique per tenant, enforced by the database). */
export function newVerificationCode(): string {
  return String(crypto.randomInt(1_000_000_000, 10_000_000_000));
}

/**
 * The CRC of a signed document: CRC-32 (8 hex digits) of its verification code, the SHA-256 of its
 * signed content and its signers. It changes whenever content or signers change, so a CRC printed on
 * an old copy no longer verifies; together with the random code it makes guessing impractical
 * (and the public page is rate-limited).
 */
export function computeCrc(verificationCode: string, contentSha256: string, signatureIds: string[]): string {
  const input = `${verificationCode}:${contentSha256}:${[...signatureIds].sort().join(',')}`;
  return (zlib.crc32(input) >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** Accepts what people type: spaces, dots and dashes are ignored; the CRC is case-insensitive. */
export function normaliseCode(input: string): string {
  return input.replace(/\D/g, '');
}

export function normaliseCrc(input: string): string {
  return input.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

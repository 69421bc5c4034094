import crypto from 'node:crypto';
import { sha256Hex } from '../documents/storage';

/**
 * The access code of a request: 80 random bits, written as 16 characters of an unambiguous
 * alphabet in groups of four (XXXX-XXXX-XXXX-XXXX). Only its SHA-256 is stored.
 */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newAccessCode(): string {
  const bytes = crypto.randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** What the citizen typed, reduced to the code's characters (case, spaces and dashes ignored). */
export function normaliseAccessCode(input: string): string {
  const chars = input.toUpperCase().replace(/[\s-]/g, '');
  return chars.match(/.{1,4}/g)?.join('-') ?? '';
}

export function hashSecret(secret: string): string {
  return sha256Hex(secret);
}

/** Compares a typed secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string | null): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash ?? '0'.repeat(64), 'hex');
  return stored.length === given.length && crypto.timingSafeEqual(given, stored) && storedHash !== null;
}

/** A single-use link token (256 bits, base64url). */
export function newLinkToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

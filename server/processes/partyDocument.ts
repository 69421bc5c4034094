import { isValidCnpj, isValidCpf, normaliseDocument } from '../brazil/documents';

/**
 * CPF and CNPJ of interessados: optional, but when given their check digits must hold
 * (server/brazil/documents.ts, with the alphanumeric CNPJ).
 */

export type DocumentCheck = { ok: true; document: string | null } | { ok: false; message: string };

export function checkPartyDocument(input: string | undefined | null): DocumentCheck {
  const document = normaliseDocument(input ?? '');
  if (!document) return { ok: true, document: null };
  if (document.length === 11) {
    return isValidCpf(document) ? { ok: true, document } : { ok: false, message: 'CPF inválido: confira os dígitos.' };
  }
  if (document.length === 14) {
    return isValidCnpj(document) ? { ok: true, document } : { ok: false, message: 'CNPJ inválido: confira os dígitos.' };
  }
  return { ok: false, message: 'Informe um CPF (11 dígitos) ou um CNPJ (14 caracteres), ou deixe em branco.' };
}

/** The citizen portal's paths whose multipart forms carry a citizen's attachments (server/protocol/uploads.ts). */
export function isCitizenUploadPath(path: string): boolean {
  return path.startsWith('/protocolo/');
}

/** Staff forms of the Protocolo that carry several documents (server/documents/upload.ts DOCUMENTS_FIELD). */
export function takesSeveralDocuments(path: string): boolean {
  return /^\/triagem\/\d{1,18}\/responder$/.test(path) || /^\/processos\/\d{1,18}\/intimar$/.test(path);
}

/** The citizen portal's paths whose multipart forms carry a citizen's attachments (server/protocol/uploads.ts). */
export function isCitizenUploadPath(path: string): boolean {
  return path.startsWith('/protocolo/');
}

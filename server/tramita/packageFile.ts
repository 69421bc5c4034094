import type { Writable } from 'node:stream';
import archiver from 'archiver';
import { z } from 'zod';
import { sha256Hex } from '../documents/storage';
import { ValidationError } from '../errors';
import { ACCESS_LEVELS } from '../models/catalogs';
import { bytesOf, openZip, type Zip } from '../export/zip';
import type { PackageMetadata, PackedComponent } from './package';

/**
 * The Tramita package as a file (docs/tramita-package.md): what travels between tenants of PEN
 * Nuvem, written as a ZIP for a system outside it — `manifest.json` (the process metadata and, for
 * every component, its entry, SHA-256, size, type and document facts) and `componentes/NNN-<name>`
 * with each component's bytes. Every entry is stored uncompressed: components are PDFs and images
 * already, and any ZIP tool reads the manifest as it is.
 */
export const PACKAGE_FORMAT = 'pen-nuvem-tramite';
export const PACKAGE_FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';
/** The most components a package file may carry (a process's documents). */
export const MAX_FILE_COMPONENTS = 1000;

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/);
const accessLevel = z.enum(ACCESS_LEVELS as [PackageMetadata['accessLevel'], ...PackageMetadata['accessLevel'][]]);
const text = (max: number) => z.string().max(max);

const metadataSchema = z.object({
  nup: text(40).min(1),
  numberDigits: z.string().regex(/^[0-9]{1,30}$/),
  numbering: z.enum(['nup', 'nipe', 'informed']),
  year: z.number().int().min(1900).max(2999),
  processType: text(200).min(1),
  specification: text(1000),
  interessados: z.array(z.object({ name: text(300).min(1), document: text(20).nullable() })).max(500),
  accessLevel,
  legalBasis: z.object({ name: text(300), basis: text(1000) }).nullable(),
  andamentos: z.array(z.object({ at: z.string().datetime({ offset: true }), unit: text(100), description: text(2000) })).max(10_000),
  origin: z.object({ ente: text(300).min(1), unitAcronym: text(100).min(1), unitName: text(300).min(1) }),
  message: text(1000).nullable(),
});

const documentSchema = z.object({
  originDocumentId: text(40),
  number: text(40).min(1),
  title: text(300).min(1),
  complement: text(300).nullable().optional(),
  kind: z.enum(['internal', 'external']),
  typeName: text(200),
  especieCode: z.number().int().min(0).max(9999),
  accessLevel,
  legalBasis: text(300).nullable().optional(),
  documentDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  version: z.number().int().min(0),
  contentSha256: z.string().max(64),
  signatures: z.array(z.object({ signerName: text(300), signerTitle: text(300), signedAt: z.string().datetime({ offset: true }) })).max(100),
});

const componentSchema = z.object({
  position: z.number().int().min(1),
  entry: z.string().regex(/^componentes\/[^/\\]{1,200}$/),
  sha256: SHA256,
  size: z.number().int().min(0),
  mime: text(200).min(1),
  fileName: text(255).min(1),
  document: documentSchema,
});

export const manifestSchema = z.object({
  format: z.literal(PACKAGE_FORMAT),
  version: z.literal(PACKAGE_FORMAT_VERSION),
  createdAt: z.string().datetime({ offset: true }),
  process: metadataSchema,
  components: z.array(componentSchema).min(1).max(MAX_FILE_COMPONENTS),
});
export type PackageManifest = z.infer<typeof manifestSchema>;

function entryName(c: Pick<PackedComponent, 'position' | 'fileName'>): string {
  const safe = c.fileName.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 150) || 'componente';
  return `componentes/${String(c.position).padStart(3, '0')}-${safe}`;
}

/** The manifest of a package: the same metadata and component facts a transfer records. */
export function buildManifest(metadata: PackageMetadata, components: PackedComponent[], createdAt = new Date()): PackageManifest {
  return {
    format: PACKAGE_FORMAT,
    version: PACKAGE_FORMAT_VERSION,
    createdAt: createdAt.toISOString(),
    process: metadata,
    components: components.map((c) => ({ position: c.position, entry: entryName(c), sha256: c.sha256, size: c.size, mime: c.mime, fileName: c.fileName, document: c.document })),
  };
}

/** Streams the package file into `out` (an HTTP response): the manifest first, then each component. */
export async function writePackageFile(out: Writable, manifest: PackageManifest, components: PackedComponent[]): Promise<void> {
  const archive = archiver('zip', { store: true });
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    archive.on('error', reject);
  });
  archive.pipe(out);
  archive.append(JSON.stringify(manifest, null, 2), { name: MANIFEST });
  const byPosition = new Map(components.map((c) => [c.position, c]));
  for (const c of manifest.components) archive.append(byPosition.get(c.position)!.bytes, { name: c.entry });
  await archive.finalize();
  await finished;
}

/** A component of an imported file, as checked against its manifest line. */
export interface FileComponent {
  line: PackageManifest['components'][number];
  /** 'ok': present, and its bytes have the size and SHA-256 the manifest says. */
  status: 'ok' | 'missing' | 'corrupt';
  bytes: Buffer | null;
}

const notAPackage = (why: string) =>
  new ValidationError('O arquivo não é um pacote de trâmite que este sistema reconheça.', { arquivo: `Formato não suportado (código 01): ${why}` });

/**
 * Reads a package file and checks every component against the manifest (presence, size, SHA-256).
 * A file that is not such a package — not a ZIP, no manifest, a manifest of another format or
 * version, or not as the format says — is refused next to the file field, and nothing is kept; a
 * package whose components are missing or corrupt is returned as it is, for the refusal to name them.
 */
export async function readPackageFile(bytes: Buffer, maxComponentBytes: number): Promise<{ manifest: PackageManifest; components: FileComponent[] }> {
  let zip: Zip;
  try {
    zip = await openZip(bytes);
  } catch {
    throw notAPackage('o arquivo não é um ZIP legível.');
  }
  try {
    if (!zip.entries.has(MANIFEST)) throw notAPackage(`o ZIP não contém ${MANIFEST}.`);
    let json: unknown;
    try {
      json = JSON.parse((await bytesOf(await zip.open(MANIFEST))).toString('utf8'));
    } catch {
      throw notAPackage(`${MANIFEST} não é um JSON válido.`);
    }
    const head = z.object({ format: z.unknown(), version: z.unknown() }).safeParse(json);
    if (!head.success || head.data.format !== PACKAGE_FORMAT || head.data.version !== PACKAGE_FORMAT_VERSION) {
      throw notAPackage(`esperava o formato "${PACKAGE_FORMAT}" versão ${PACKAGE_FORMAT_VERSION}.`);
    }
    const parsed = manifestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw notAPackage(`${MANIFEST} não segue o formato (${issue.path.join('.') || 'raiz'}: ${issue.message}).`);
    }
    const manifest = parsed.data;
    if (manifest.process.numberDigits !== manifest.process.nup.replace(/\D/g, '')) throw notAPackage('o número do processo não confere com os seus dígitos.');
    const positions = manifest.components.map((c) => c.position);
    if (new Set(positions).size !== positions.length || new Set(manifest.components.map((c) => c.entry)).size !== positions.length) {
      throw notAPackage('há componentes repetidos no manifesto.');
    }
    const components: FileComponent[] = [];
    for (const line of [...manifest.components].sort((a, b) => a.position - b.position)) {
      if (line.size > maxComponentBytes) throw notAPackage(`o componente ${line.position} (${line.fileName}) é maior que o limite de ${maxComponentBytes / 1024 / 1024} MB.`);
      const entry = zip.entries.get(line.entry);
      if (!entry) {
        components.push({ line, status: 'missing', bytes: null });
        continue;
      }
      if (entry.uncompressedSize !== line.size) {
        components.push({ line, status: 'corrupt', bytes: null });
        continue;
      }
      let content: Buffer;
      try {
        content = await bytesOf(await zip.open(line.entry));
      } catch {
        components.push({ line, status: 'corrupt', bytes: null });
        continue;
      }
      const ok = content.length === line.size && sha256Hex(content) === line.sha256;
      components.push({ line, status: ok ? 'ok' : 'corrupt', bytes: ok ? content : null });
    }
    return { manifest, components };
  } finally {
    zip.close();
  }
}

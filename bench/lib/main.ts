import crypto from 'node:crypto';

/** Runs a bench script's main: exit 0 when it ends, its stack on stderr and exit 1 when it fails. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
      process.exit(1);
    },
  );
}

/** A numeric command-line option: `--name N`, or `fallback` when absent. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A PDF of about `bytes` (random payload in a stream object, so every file is distinct). */
export function pdfOf(bytes: number): Buffer {
  const payload = crypto.randomBytes(bytes).toString('base64').slice(0, bytes);
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Length ${payload.length} >> stream\n${payload}\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

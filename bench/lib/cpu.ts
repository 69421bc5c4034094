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

function postgresCpuMs(postmasterPid: number): number {
  let total = cpuOfPid(postmasterPid, true);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmasterPid) total += cpuOfPid(Number(entry));
    } catch {
      // the process ended while we read
    }
  }
  return total;
}

export interface CpuReading {
  nodeMs: number;
  postgresMs: number;
}

/** Reads now; `since(previous)` gives the CPU milliseconds spent in between. */
export function readCpu(postmasterPid: number): CpuReading {
  const u = process.cpuUsage();
  return { nodeMs: (u.user + u.system) / 1000, postgresMs: postgresCpuMs(postmasterPid) };
}

export function cpuSince(before: CpuReading, postmasterPid: number): CpuReading {
  const now = readCpu(postmasterPid);
  return { nodeMs: now.nodeMs - before.nodeMs, postgresMs: now.postgresMs - before.postgresMs };
}

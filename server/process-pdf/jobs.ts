import crypto from 'node:crypto';

/**
 * Process PDFs are built in the background of the web process that was asked, and the browser
 * follows the progress on a page that refreshes itself. A job belongs to the user and tenant that
 * started it and is forgotten 15 minutes after it ends. (Kept in memory: with several web processes
 * the load balancer must keep a user on one process for these few minutes, or this moves to a table.)
 */
export interface PdfJob {
  id: string;
  tenantId: string;
  userId: string;
  processId: string;
  done: number;
  total: number;
  status: 'running' | 'finished' | 'failed';
  result?: { bytes: Buffer; fileName: string };
  error?: string;
  finishedAt?: number;
}

const jobs = new Map<string, PdfJob>();
const KEEP_MS = 15 * 60 * 1000;

function sweep(now = Date.now()): void {
  for (const [id, job] of jobs) if (job.finishedAt && now - job.finishedAt > KEEP_MS) jobs.delete(id);
}

export function startJob(owner: { tenantId: string; userId: string; processId: string }, run: (job: PdfJob) => Promise<{ bytes: Buffer; fileName: string }>): PdfJob {
  sweep();
  const job: PdfJob = { id: crypto.randomBytes(16).toString('hex'), ...owner, done: 0, total: 0, status: 'running' };
  jobs.set(job.id, job);
  run(job).then(
    (result) => Object.assign(job, { result, status: 'finished', finishedAt: Date.now() }),
    (err: Error) => Object.assign(job, { status: 'failed', error: err.message, finishedAt: Date.now() }),
  );
  return job;
}

export function findJob(id: string, owner: { tenantId: string; userId: string; processId: string }): PdfJob | undefined {
  const job = jobs.get(id);
  if (!job || job.tenantId !== owner.tenantId || job.userId !== owner.userId || job.processId !== owner.processId) return undefined;
  return job;
}

import { listenWithReconnect } from '../db/listen';

/** Announced by a trigger on `platform.sessions` (migration 0650) with the sid of a session whose content changed or that was deleted. */
export const SESSION_CHANNEL = 'pen_session_changed';

/** The longest a read is served from memory, even with no announcement (a backstop, not the mechanism). */
export const SESSION_CACHE_MAX_AGE_MS = 10_000;
const MAX_ENTRIES = 20_000;

interface Entry {
  /** The session as stored (JSON text): each request parses its own copy. */
  text: string;
  /** When the stored row expires (the session is then read from the database again). */
  expiresAt: number;
  /** When this copy stops being served. */
  staleAt: number;
}

/**
 * The sessions this web process read recently, so a page view does not read its session from
 * PostgreSQL again. It is correct only while this process hears every change: a trigger on
 * `platform.sessions` announces (NOTIFY, at commit) the sid of every session whose content changes
 * or that is deleted — by any process, logout, password change or plain SQL alike — and the copy
 * is dropped when the announcement arrives. Fail closed: nothing is served from memory unless the
 * listening connection is up (`listen`); when it drops, everything is forgotten until it is back.
 * A read that raced with an announcement is not kept. A copy is served at most
 * SESSION_CACHE_MAX_AGE_MS and never past the row's expiry; a touch (only `expire` moves) is not
 * announced, and the next read after the copy's expiry asks the database.
 */
export class SessionReadCache {
  private readonly entries = new Map<string, Entry>();
  private listening = false;
  /** Bumped by every announcement and every reset: a read that started before one is not kept. */
  private epoch = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts listening on `url` (a direct connection: LISTEN needs a session, not a pooler). */
  async listen(url: string): Promise<() => Promise<void>> {
    return listenWithReconnect(url, SESSION_CHANNEL, 'sessões', {
      onNotification: (sid) => this.drop(sid),
      onListening: () => {
        this.reset();
        this.listening = true;
      },
      onLost: () => {
        this.listening = false;
        this.reset();
      },
    });
  }

  get active(): boolean {
    return this.listening;
  }

  /** Marks the start of a database read; pass it to `keep`. */
  readStarts(): number {
    return this.epoch;
  }

  /** The session as last read, parsed afresh; undefined when it must be read from the database. */
  get(sid: string): unknown {
    if (!this.listening) return undefined;
    const entry = this.entries.get(sid);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.staleAt || now >= entry.expiresAt) {
      this.entries.delete(sid);
      return undefined;
    }
    return JSON.parse(entry.text);
  }

  /** Keeps what a read that started at `startedAt` found, unless something was announced meanwhile. */
  keep(sid: string, sess: unknown, expiresAt: number, startedAt: number): void {
    if (!this.listening || startedAt !== this.epoch || !Number.isFinite(expiresAt)) return;
    const now = this.now();
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [id, e] of this.entries) if (now >= e.staleAt || now >= e.expiresAt) this.entries.delete(id);
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    }
    this.entries.set(sid, { text: JSON.stringify(sess), expiresAt, staleAt: now + SESSION_CACHE_MAX_AGE_MS });
  }

  /** The row's expiry moved forward (a touch by this process). */
  touched(sid: string, expiresAt: number): void {
    const entry = this.entries.get(sid);
    if (entry && expiresAt > entry.expiresAt) entry.expiresAt = expiresAt;
  }

  /** Forgets one session ('' or no sid: all of them). */
  drop(sid: string): void {
    this.epoch += 1;
    if (sid) this.entries.delete(sid);
    else this.entries.clear();
  }

  private reset(): void {
    this.epoch += 1;
    this.entries.clear();
  }
}

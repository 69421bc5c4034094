/**
 * The registered list of surfaces that show a process or what is in it (number, parties,
 * especificação, relations, andamentos, sobrestamento reason, document titles, search hits,
 * type-ahead suggestions, PDF pages). Every one of them asks the one access rule
 * (server/processes/access.ts: findable / readable / listable), and the conformance test
 * (test/integration/security/access-conformance.test.ts) runs each registered surface through the
 * matrix público / restrito / sigiloso × creating unit / unit it passed through / unrelated unit /
 * credential holder / revoked credential. The same test walks every GET route of the tenant host
 * and fails when a route that shows a process's data is not registered here; and it fails when a
 * registered surface has no row in the matrix.
 *
 * A new surface joins with one call next to its route: `registerProcessSurface('GET /path/:id', 'what it shows')`.
 */
export interface ProcessSurface {
  /** "METHOD /path" exactly as the router declares it (e.g. "GET /processos/:id"). */
  route: string;
  /** What it shows, in a few words (the test names its rows after it). */
  shows: string;
}

const surfaces = new Map<string, ProcessSurface>();

export function registerProcessSurface(route: string, shows: string): void {
  surfaces.set(route, { route, shows });
}

export function processSurfaces(): ProcessSurface[] {
  return [...surfaces.values()];
}

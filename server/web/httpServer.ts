import http from 'node:http';
import type { RequestListener } from 'node:http';
import type { Config } from '../config';

/** The HTTP server every web process listens with: keep-alive as long as the configuration says (see HTTP_KEEP_ALIVE_SECONDS). */
export function createHttpServer(app: RequestListener, config: Pick<Config, 'HTTP_KEEP_ALIVE_SECONDS'>): http.Server {
  const server = http.createServer(app);
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_SECONDS * 1000;
  // Headers of a request on a kept connection may arrive at the end of that wait; the default (60 s) would cut it first.
  server.headersTimeout = server.keepAliveTimeout + 1000;
  return server;
}

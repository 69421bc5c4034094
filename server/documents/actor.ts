/**
 * The actor of documents is the web kit's (server/web/actor.ts). These names stay only for the code
 * of Protocolo (server/protocol/), written at the same time; it moves to `actorOf` when it merges.
 */
export { actorOf as actorFrom, type Actor } from '../web/actor';

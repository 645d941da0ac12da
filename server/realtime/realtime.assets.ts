import path from 'node:path';
import { projectRoot } from '../config.ts';

const clientDist = path.join(projectRoot, 'node_modules', 'socket.io-client', 'dist');

/**
 * Files served from node_modules through the asset manifest (logical name →
 * file): the socket.io client's ES module build, imported by public/js/realtime.js
 * from the URL the page gives it (fingerprinted, so it is cached for a year).
 */
export const realtimeAssets: Record<string, string> = {
  'vendor/socket.io.esm.min.js': path.join(clientDist, 'socket.io.esm.min.js'),
  'vendor/socket.io.esm.min.js.map': path.join(clientDist, 'socket.io.esm.min.js.map'),
};

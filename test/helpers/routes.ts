import type { Express } from 'express';
import type { Action } from '../../server/auth/permissions.ts';

export interface RouteInfo {
  method: string;
  path: string;
  permission: Action | undefined;
  isPublic: boolean;
}

interface Layer {
  route?: {
    path: string;
    methods: Record<string, boolean>;
    stack: Array<{ handle: { permission?: Action; isPublic?: boolean } }>;
  };
  handle?: { stack?: Layer[] };
  name?: string;
}

/** Every route the app serves, with the permission its guard enforces (read from the router). */
export function listRoutes(app: Express): RouteInfo[] {
  const routes: RouteInfo[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const guards = layer.route.stack.map((s) => s.handle);
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all') continue;
          routes.push({
            method: method.toUpperCase(),
            path: layer.route.path,
            permission: guards.find((g) => g.permission)?.permission,
            isPublic: guards.some((g) => g.isPublic === true),
          });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes;
}

/** Facts the identity features announce (notifications and real time subscribe). */
declare module '../core/events.ts' {
  interface DomainEvents {
    'user.signedIn': { userId: string; method: 'password' | 'oidc' };
    'user.signedOut': { userId: string };
    'user.created': { userId: string; actorId: string | null };
    'user.updated': { userId: string; actorId: string; changed: string[] };
    'user.deactivated': { userId: string; actorId: string };
    'user.reactivated': { userId: string; actorId: string };
    'user.passwordChanged': { userId: string };
    'user.passwordResetByAdmin': { userId: string; actorId: string };
  }
}

export {};

import mongoose from 'mongoose';

/**
 * Marks a query operator object as written by us, not by a user.
 *
 * `sanitizeFilter` is on for the whole app, so any `{ $op: … }` in a filter is
 * turned into a literal `$eq` match — which is what stops injected operators
 * from request bodies. Operators the code means must be wrapped:
 *
 *   Post.find({ author: userId, createdAt: op({ $lt: cursor }) })
 */
export function op<T extends Record<string, unknown>>(operators: T): T {
  return mongoose.trusted(operators) as T;
}

/** Escapes user text for use inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

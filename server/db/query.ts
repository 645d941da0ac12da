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

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * The documents with these ids (each once; missing ones left out), in no
 * particular order: one `_id` equality lookup per id, a few at a time.
 *
 * Every engine answers an `_id` equality from its primary key; an `$in` over
 * ids is not always one (the embedded engine reads the whole collection for
 * it, about 0.1 ms per document), so pages that show a handful of people or
 * posts look them up one by one in parallel instead.
 */
export async function findByIds<T>(
  model: mongoose.Model<T>,
  ids: Iterable<unknown>,
  projection?: Record<string, 0 | 1>,
  concurrency = 8,
): Promise<Array<mongoose.FlattenMaps<T> & { _id: mongoose.Types.ObjectId }>> {
  const unique = [...new Set([...ids].filter(Boolean).map(String))].filter((id) => OBJECT_ID.test(id));
  type Found = mongoose.FlattenMaps<T> & { _id: mongoose.Types.ObjectId };
  const found: Found[] = [];
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const id = unique[next++]!;
      const doc = (await model.findById(id, projection).lean()) as Found | null;
      if (doc) found.push(doc);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
  return found;
}

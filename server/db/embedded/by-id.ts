import type mongoose from 'mongoose';

/**
 * Documents by `_id` (any id type), in the order given, missing ones left
 * out: one `_id` equality lookup each, a few at a time (the only query the
 * embedded engine answers without reading the whole collection).
 */
export async function readByIds<T>(
  model: mongoose.Model<never>,
  ids: readonly unknown[],
  concurrency = 8,
): Promise<T[]> {
  const found: Array<T | null> = new Array(ids.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      found[i] = (await model.findById(ids[i]).lean()) as T | null;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return found.filter((d): d is T => d !== null);
}

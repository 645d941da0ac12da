import { model, Schema } from 'mongoose';

/** Named sequences (KB article numbers): one document per name, advanced with $inc. */
const counterSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Number, required: true, default: 0 },
  },
  { versionKey: false, collection: 'counters' },
);

export const Counter = model('Counter', counterSchema);

/** The next number of a sequence (1, 2, 3 …), atomically. */
export async function nextSequence(name: string): Promise<number> {
  const doc = await Counter.findOneAndUpdate(
    { _id: name },
    { $inc: { value: 1 } },
    { upsert: true, returnDocument: 'after' },
  ).lean();
  return doc?.value ?? 1;
}

import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * Who runs a piece of scheduled work until when (one document per job, by
 * name), so that of several app instances one does it; an expired lease is
 * taken over (its holder stopped or died).
 */
const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { versionKey: false, collection: 'leases' },
);

export type LeaseFields = InferSchemaType<typeof leaseSchema>;
export const Lease = model('Lease', leaseSchema);

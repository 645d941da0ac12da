import { type InferSchemaType, model, Schema } from 'mongoose';

/** Hits of one rate-limit key in its current window, shared by every app instance. */
const rateLimitCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    hits: { type: Number, required: true, default: 0 },
    resetAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'rate_limits' },
);

rateLimitCounterSchema.index({ resetAt: 1 });

export type RateLimitCounterFields = InferSchemaType<typeof rateLimitCounterSchema>;
export const RateLimitCounter = model('RateLimitCounter', rateLimitCounterSchema);

import { type HydratedDocument, type InferSchemaType, model, Schema } from 'mongoose';

const teamSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 80 },
    slug: { type: String, required: true, trim: true, lowercase: true, maxlength: 80 },
    description: { type: String, trim: true, maxlength: 500, default: '' },
    /** Team leads (members are the users whose `team` is this team). */
    leads: { type: [{ type: Schema.Types.ObjectId, ref: 'User' }], default: [] },
  },
  { timestamps: true },
);

teamSchema.index({ slug: 1 }, { unique: true });
teamSchema.index({ name: 1 }, { unique: true });

export type TeamFields = InferSchemaType<typeof teamSchema>;
export type TeamDoc = HydratedDocument<TeamFields>;
export const Team = model('Team', teamSchema);

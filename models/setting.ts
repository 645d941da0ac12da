import { model, Schema } from 'mongoose';

/**
 * Admin settings, versioned: the current value per key (`scoring`,
 * `privacy`) and every earlier version, with who changed it and when.
 */
const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false, collection: 'settings' },
);
export const Setting = model('Setting', settingSchema);

/** A past version of a setting. `_id`: "<key>:<version>". */
const settingVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    version: { type: Number, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false, collection: 'setting_versions' },
);
export const SettingVersion = model('SettingVersion', settingVersionSchema);

/**
 * Stores `value` as version `version` of setting `key`: the past version kept
 * in `setting_versions`, the current one in `settings`.
 */
export async function saveSettingVersion(
  key: string,
  version: number,
  value: unknown,
  updatedBy: string,
): Promise<void> {
  const updatedAt = new Date();
  await SettingVersion.create({ _id: `${key}:${version}`, key, version, value, updatedBy, updatedAt });
  await Setting.replaceOne(
    { _id: key },
    { _id: key, version, value, updatedBy, updatedAt },
    { upsert: true },
  );
}

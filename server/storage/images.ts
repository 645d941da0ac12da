import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { ValidationError } from '../core/errors.ts';

export const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

/** The real type of some bytes, from their content (never from a file name). */
export async function sniffType(data: Buffer): Promise<{ mime: string; ext: string } | undefined> {
  return fileTypeFromBuffer(data);
}

/**
 * Turns an uploaded picture into a square WebP avatar: checked by content,
 * decoded (which rejects corrupt files), resized, and re-encoded without any
 * metadata (EXIF location, camera, comments).
 */
export async function makeAvatar(data: Buffer, field = 'avatar', size = 256): Promise<Buffer> {
  const type = await sniffType(data);
  if (!type || !IMAGE_TYPES.has(type.mime)) {
    throw new ValidationError({ [field]: { key: 'validation.imageType' } });
  }
  try {
    return await sharp(data, { limitInputPixels: 40_000_000, animated: false })
      .rotate()
      .resize(size, size, { fit: 'cover', position: 'attention' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch {
    throw new ValidationError({ [field]: { key: 'validation.imageUnreadable' } });
  }
}

import sharp from 'sharp';
import type { AttachmentKind } from '../../models/post-content.ts';
import { RateLimitCounter } from '../../models/rate-limit-counter.ts';
import {
  type FieldMessage,
  FormTooLargeError,
  TooManyRequestsError,
  ValidationError,
} from '../core/errors.ts';
import { op } from '../db/query.ts';
import { extensionList, isMarkup, namedAsKind } from '../storage/file-kinds.ts';
import type { FileStorage } from '../storage/file-storage.ts';
import { sniffType } from '../storage/images.ts';
import { checkPdf } from '../storage/pdf-check.ts';

export interface AttachmentLimits {
  maxFileBytes: number;
  maxPostBytes: number;
  maxFiles: number;
}

export interface UploadedFile {
  originalname: string;
  /** The type the browser declared for the file (from its name, on most systems). */
  mimetype: string;
  buffer: Buffer;
  size: number;
}

export interface StoredAttachment {
  fileId: string;
  thumbId: string | null;
  filename: string;
  displayName: string;
  contentType: string;
  kind: AttachmentKind;
  size: number;
  width: number | null;
  height: number | null;
}

const IMAGE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
const AUDIO = new Set([
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/x-wav',
  'audio/vnd.wave',
  'audio/mp4',
  'audio/x-m4a',
  'audio/webm',
  'audio/aac',
  'audio/opus',
]);

/** Plain text: valid UTF-8 without control bytes other than tab and line breaks. */
function isPlainText(data: Buffer): boolean {
  if (data.length === 0) return false;
  for (const byte of data.subarray(0, 65_536)) {
    if (byte < 9 || (byte > 13 && byte < 32) || byte === 127) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/** CSV when most of the first lines split into the same number (> 1) of fields. */
function looksLikeCsv(text: string): boolean {
  const lines = text.split(/\r?\n/).filter(Boolean).slice(0, 20);
  if (lines.length < 2) return false;
  for (const separator of [',', ';', '\t']) {
    const counts = lines.map((l) => l.split(separator).length);
    if (counts[0]! > 1 && counts.filter((c) => c === counts[0]).length >= lines.length * 0.8) return true;
  }
  return false;
}

/** A file name safe in a header and a URL: letters, digits, dot, dash, underscore. */
export function safeFilename(name: string, fallbackExt: string): string {
  const base = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+|-+$/g, '')
    .slice(0, 80);
  const cleaned = base || 'file';
  return /\.[A-Za-z0-9]{1,5}$/.test(cleaned)
    ? cleaned.replace(/\.[^.]+$/, `.${fallbackExt}`)
    : `${cleaned}.${fallbackExt}`;
}

/**
 * The name a file is shown and downloaded under: the person's own (accents,
 * spaces and all), without path parts, with the extension of what it contains.
 * The header and the URL use `safeFilename`.
 */
export function displayFilename(name: string, ext: string): string {
  const base =
    name
      .normalize('NFC')
      .replace(/^.*[\\/]/, '')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/\.[A-Za-z0-9]{1,8}$/, '')
      .slice(0, 120)
      .trim() || 'file';
  return `${base}.${ext}`;
}

/** The name of a refused file as its message shows it. */
const shown = (file: UploadedFile) => file.originalname.slice(0, 80) || '?';

interface Classified {
  kind: AttachmentKind;
  mime: string;
  ext: string;
}

async function classify(data: Buffer): Promise<Classified | null> {
  const type = await sniffType(data);
  if (type && IMAGE.has(type.mime)) return { kind: 'image', mime: type.mime, ext: type.ext };
  if (type?.mime === 'application/pdf') return { kind: 'pdf', mime: 'application/pdf', ext: 'pdf' };
  if (type && AUDIO.has(type.mime))
    return {
      kind: 'audio',
      mime: type.mime === 'audio/vnd.wave' || type.mime === 'audio/x-wav' ? 'audio/wav' : type.mime,
      ext: type.ext,
    };
  if (!type && isPlainText(data)) {
    const csv = looksLikeCsv(data.toString('utf8'));
    return { kind: 'text', mime: csv ? 'text/csv' : 'text/plain', ext: csv ? 'csv' : 'txt' };
  }
  return null;
}

/**
 * Why a file cannot be attached, or null: it is empty; it is none of the kinds
 * taken; it is markup passed off as text; its name or declared type says
 * another kind than its bytes; it is a PDF that acts by itself when opened (or
 * one that cannot be checked for that).
 */
function refusalOf(file: UploadedFile, type: Classified | null): FieldMessage | null {
  const name = shown(file);
  if (file.size === 0) return { key: 'validation.attachmentEmpty', params: { name } };
  if (!type) return { key: 'validation.attachmentType', params: { name } };
  if (type.kind === 'text' && isMarkup(file.buffer.toString('utf8')))
    return { key: 'validation.attachmentMarkup', params: { name } };
  const named = namedAsKind(type.kind, file.originalname, file.mimetype);
  if (!named.ok && named.reason === 'name')
    return {
      key: `validation.attachmentName.${type.kind}`,
      params: { name, exts: extensionList(type.kind) },
    };
  if (!named.ok)
    return {
      key: `validation.attachmentDeclared.${type.kind}`,
      params: { name, declared: file.mimetype.slice(0, 80) },
    };
  if (type.kind === 'pdf') {
    const verdict = checkPdf(file.buffer);
    if (verdict === 'active') return { key: 'validation.pdfActive', params: { name } };
    if (verdict === 'uncheckable') return { key: 'validation.pdfUncheckable', params: { name } };
  }
  return null;
}

/**
 * Checks uploaded files by their content and stores them: pictures are
 * re-encoded without metadata and get a thumbnail; PDFs, plain text/CSV and
 * short audio are kept as they are. Everything is checked before the first
 * file is stored, so a refused upload stores nothing, and the refusal names
 * every file refused with its reason.
 */
export async function storeAttachments(
  files: UploadedFile[],
  limits: AttachmentLimits,
  storage: FileStorage,
  metadata: Record<string, string>,
): Promise<StoredAttachment[]> {
  if (files.length > limits.maxFiles) {
    throw new FormTooLargeError({
      attachments: { key: 'validation.tooManyFiles', params: { max: limits.maxFiles } },
    });
  }
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (total > limits.maxPostBytes) {
    throw new FormTooLargeError({
      attachments: {
        key: 'validation.attachmentsTooLarge',
        params: { max: Math.round(limits.maxPostBytes / 100_000) / 10 },
      },
    });
  }
  const prepared: Array<{
    data: Buffer;
    thumb: Buffer | null;
    type: Classified;
    name: string;
    displayName: string;
    width: number | null;
    height: number | null;
  }> = [];
  // Every file is checked, so that the form can say which ones were refused and why.
  const refusals: FieldMessage[] = [];
  for (const file of files) {
    const type = file.size > 0 ? await classify(file.buffer) : null;
    const refusal = refusalOf(file, type);
    if (refusal || !type) {
      refusals.push(refusal ?? { key: 'validation.attachmentType', params: { name: shown(file) } });
      continue;
    }
    let data = file.buffer;
    let thumb: Buffer | null = null;
    let width: number | null = null;
    let height: number | null = null;
    if (type.kind === 'image') {
      try {
        const image = sharp(file.buffer, {
          limitInputPixels: 50_000_000,
          animated: type.mime === 'image/gif',
        }).rotate();
        // Re-encoding drops EXIF, GPS and comments; the format stays the same.
        const encoded = await image
          .clone()
          .toFormat(type.ext as 'png' | 'jpeg' | 'webp' | 'gif')
          .toBuffer({ resolveWithObject: true });
        data = encoded.data;
        width = encoded.info.width;
        height = encoded.info.pageHeight ?? encoded.info.height;
        thumb = await image
          .clone()
          .resize(640, 640, { fit: 'inside', withoutEnlargement: true })
          .webp({ quality: 78 })
          .toBuffer();
      } catch {
        refusals.push({ key: 'validation.attachmentUnreadable', params: { name: shown(file) } });
        continue;
      }
    }
    prepared.push({
      data,
      thumb,
      type,
      name: safeFilename(file.originalname, type.ext),
      displayName: displayFilename(file.originalname, type.ext),
      width,
      height,
    });
  }
  if (refusals.length === 1) throw new ValidationError({ attachments: refusals[0]! });
  if (refusals.length > 1)
    throw new ValidationError({
      attachments: {
        key: 'validation.attachmentsRefused',
        params: { count: refusals.length },
        items: refusals,
      },
    });
  const stored: StoredAttachment[] = [];
  try {
    for (const item of prepared) {
      const saved = await storage.save(item.data, {
        filename: item.name,
        contentType: item.type.mime,
        metadata: { ...metadata, purpose: 'attachment', name: item.displayName },
      });
      const thumb = item.thumb
        ? await storage.save(item.thumb, {
            filename: `thumb-${item.name}.webp`,
            contentType: 'image/webp',
            metadata: { ...metadata, purpose: 'thumbnail' },
          })
        : null;
      stored.push({
        fileId: saved.id,
        thumbId: thumb?.id ?? null,
        filename: item.name,
        displayName: item.displayName,
        contentType: item.type.mime,
        kind: item.type.kind,
        size: item.data.length,
        width: item.width,
        height: item.height,
      });
    }
  } catch (err) {
    await removeAttachments(stored, storage);
    throw err;
  }
  return stored;
}

export async function removeAttachments(
  attachments: Array<{ fileId: string; thumbId?: string | null }>,
  storage: FileStorage,
): Promise<void> {
  for (const a of attachments) {
    await storage.remove(a.fileId).catch(() => {});
    if (a.thumbId) await storage.remove(a.thumbId).catch(() => {});
  }
}

/** Gives back what takeUploadQuota counted for files that were then refused (a refusal is not an upload). */
export async function returnUploadQuota(userId: string, files: number): Promise<void> {
  if (files === 0) return;
  await RateLimitCounter.updateOne({ _id: `uploads:${userId}` }, { $inc: { hits: -files } });
}

/**
 * About ten uploads a minute per person (a counter by id shared by every
 * instance): refuses the request, before anything is stored, when the files
 * it carries would go over.
 */
export async function takeUploadQuota(userId: string, files: number, perMinute: number): Promise<void> {
  if (files === 0) return;
  const id = `uploads:${userId}`;
  const now = new Date();
  let counter = await RateLimitCounter.findOneAndUpdate(
    { _id: id, resetAt: op({ $gt: now }) },
    { $inc: { hits: files } },
    { returnDocument: 'after' },
  ).lean();
  if (!counter) {
    counter = await RateLimitCounter.findOneAndUpdate(
      { _id: id },
      { $set: { hits: files, resetAt: new Date(now.getTime() + 60_000) } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
  }
  if (counter && counter.hits > perMinute) {
    await RateLimitCounter.updateOne({ _id: id }, { $inc: { hits: -files } });
    throw new TooManyRequestsError(
      Math.max(1, Math.ceil((counter.resetAt.getTime() - now.getTime()) / 1000)),
      'posts.tooManyUploads',
      { max: perMinute },
    );
  }
}

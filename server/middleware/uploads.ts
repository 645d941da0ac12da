import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import {
  AppError,
  FORM_FIELD,
  FormTooLargeError,
  MalformedBodyError,
  MalformedFormError,
} from '../core/errors.ts';

export interface UploadLimits {
  /** The form field that carries the file(s). */
  fieldName: string;
  maxFiles: number;
  /** Largest single file. */
  maxBytes: number;
  /** Largest text field (default 100 kB). */
  fieldSize?: number;
  /** Most text fields (default 100). */
  fields?: number;
}

/** Control characters (NUL, line breaks…) have no place in a file name. */
const CONTROL = /[\p{Cc}]/u;
/** A field name safe to report an error under (multer reports the one the client sent). */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,40}$/;

const megabytes = (bytes: number) => Math.round((bytes / 1_000_000) * 10) / 10;

/**
 * What a failed multipart read means for the person who sent the form. Limits
 * become 413 with the field concerned; anything else multer or busboy reports —
 * a body cut off, a garbled part header, no boundary, a client gone mid-upload —
 * is a body that could not be read: 400. Memory storage has no failure of its
 * own, so nothing here is the server's fault.
 */
export function uploadError(err: unknown, limits: UploadLimits): AppError {
  if (err instanceof AppError) return err;
  const { fieldName } = limits;
  const tooManyFiles = () =>
    new FormTooLargeError({
      [fieldName]: { key: 'validation.tooManyFiles', params: { max: limits.maxFiles } },
    });
  if (err instanceof multer.MulterError) {
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new FormTooLargeError({
          [fieldName]: { key: 'validation.fileTooLarge', params: { max: megabytes(limits.maxBytes) } },
        });
      case 'LIMIT_FILE_COUNT':
        return tooManyFiles();
      case 'LIMIT_UNEXPECTED_FILE':
        return err.field === fieldName ? tooManyFiles() : new MalformedFormError();
      case 'LIMIT_FIELD_COUNT':
      case 'LIMIT_PART_COUNT':
        return new FormTooLargeError({ [FORM_FIELD]: { key: 'validation.tooManyFields' } });
      case 'LIMIT_FIELD_VALUE': {
        const field = err.field && FIELD_NAME.test(err.field) ? err.field : FORM_FIELD;
        return new FormTooLargeError({ [field]: { key: 'validation.fieldTooLong' } });
      }
      default:
        return new MalformedFormError();
    }
  }
  return new MalformedFormError();
}

/**
 * Files from a multipart form, kept in memory within `limits` (a file over its
 * size is refused while it arrives, before anything is stored). Their type is
 * decided later from their content, never from their name or declared type.
 * The CSRF token was checked before the body was read (see csrf.ts).
 */
function upload(limits: UploadLimits, pick: (m: multer.Multer) => ReturnType<multer.Multer['any']>) {
  const fields = limits.fields ?? 100;
  const middleware = pick(
    multer({
      storage: multer.memoryStorage(),
      // Browsers send file names in UTF-8 (the page's encoding), not Latin-1.
      defParamCharset: 'utf8',
      limits: {
        fileSize: limits.maxBytes,
        files: limits.maxFiles,
        fields,
        fieldSize: limits.fieldSize ?? 100_000,
        parts: limits.maxFiles + fields,
      },
      fileFilter: (_req, file, accept) => {
        if (CONTROL.test(file.originalname)) accept(new MalformedFormError());
        else accept(null, true);
      },
    }),
  );
  return (req: Request, res: Response, next: NextFunction) => {
    middleware(req, res, (err?: unknown) => (err ? next(uploadError(err, limits)) : next()));
  };
}

/** One file in `fieldName` (a profile picture, a CSV), at most `maxBytes`. */
export function singleFileUpload(fieldName: string, maxBytes: number, options: { fieldSize?: number } = {}) {
  return upload({ fieldName, maxFiles: 1, maxBytes, fields: 50, ...options }, (m) => m.single(fieldName));
}

/** Several files in one field (post attachments), each at most `maxBytes`. */
export function filesUpload(fieldName: string, maxFiles: number, maxBytes: number) {
  return upload({ fieldName, maxFiles, maxBytes }, (m) => m.array(fieldName, maxFiles));
}

/**
 * The value of a multipart body's first part when that part is the text field
 * `name` — where a browser form puts its CSRF token, being its first field —
 * read before anything else of the body. The bytes read are put back, so the
 * upload middleware later reads the whole body as sent. Undefined when the first
 * part is a file or another field, or has not ended within `maxBytes`: nothing
 * of a file is read without the token. A body that cannot be parsed rejects
 * with MalformedBodyError.
 */
export function leadingField(req: Request, name: string, maxBytes = 16_384): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({ headers: req.headers, limits: { fieldSize: maxBytes } });
    } catch {
      reject(new MalformedBodyError());
      return;
    }
    const read: Buffer[] = [];
    let size = 0;
    let ended = false;
    let outcome: { value: string | undefined } | { error: AppError } | undefined;
    let settled = false;

    // Settled synchronously after the read that decided, so that the bytes go back
    // before the stream could announce its end.
    const settle = () => {
      if (settled || !outcome) return;
      settled = true;
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('error', onClientGone);
      req.off('aborted', onClientGone);
      parser.removeAllListeners();
      parser.on('error', () => {});
      parser.destroy();
      if ('error' in outcome) return reject(outcome.error);
      if (read.length > 0 && !req.readableEnded) req.unshift(Buffer.concat(read));
      resolve(outcome.value);
    };
    const decide = (value: NonNullable<typeof outcome>) => {
      outcome ??= value;
      // After the end of the body, busboy's verdict comes on a later tick.
      if (ended) settle();
    };

    parser.on('field', (field, value) => decide({ value: field === name ? value : undefined }));
    parser.on('file', (_field, stream) => {
      // Destroying the parser ends this stream with an error: nobody reads it.
      stream.on('error', () => {});
      stream.resume();
      decide({ value: undefined });
    });
    parser.on('error', () => decide({ error: new MalformedBodyError() }));
    parser.on('finish', () => decide({ value: undefined }));

    function onReadable() {
      while (!outcome) {
        const chunk = req.read() as Buffer | null;
        if (chunk === null) break;
        read.push(chunk);
        size += chunk.length;
        parser.write(chunk);
        if (!outcome && size > maxBytes) outcome = { value: undefined };
      }
      settle();
    }
    function onEnd() {
      ended = true;
      if (outcome) settle();
      else parser.end();
    }
    function onClientGone() {
      outcome ??= { error: new MalformedBodyError() };
      settle();
    }
    req.on('readable', onReadable);
    req.on('end', onEnd);
    req.on('error', onClientGone);
    req.on('aborted', onClientGone);
  });
}

import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ValidationError } from '../core/errors.ts';

/**
 * One file from a multipart form, kept in memory up to `maxBytes` (a larger
 * file is refused while it arrives, before anything is stored). Its type is
 * decided later from its content, never from its name or declared type.
 */
export function singleFileUpload(fieldName: string, maxBytes: number) {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 50, fieldSize: 100_000, parts: 60 },
  }).single(fieldName);
  return (req: Request, res: Response, next: NextFunction) => {
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') {
          return next(
            new ValidationError({
              [fieldName]: {
                key: 'validation.fileTooLarge',
                params: { max: Math.round((maxBytes / 1_000_000) * 10) / 10 },
              },
            }),
          );
        }
        return next(new ValidationError({ [err.field ?? fieldName]: { key: 'validation.uploadRejected' } }));
      }
      next(err);
    });
  };
}

/** Several files in one field (post attachments), each at most `maxBytes`. */
export function filesUpload(fieldName: string, maxFiles: number, maxBytes: number) {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: maxFiles, fields: 100, fieldSize: 100_000, parts: maxFiles + 100 },
  }).array(fieldName, maxFiles);
  return (req: Request, res: Response, next: NextFunction) => {
    upload(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') {
          return next(
            new ValidationError({
              [fieldName]: {
                key: 'validation.fileTooLarge',
                params: { max: Math.round((maxBytes / 1_000_000) * 10) / 10 },
              },
            }),
          );
        }
        if (err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE') {
          return next(
            new ValidationError({
              [fieldName]: { key: 'validation.tooManyFiles', params: { max: maxFiles } },
            }),
          );
        }
        return next(new ValidationError({ [fieldName]: { key: 'validation.uploadRejected' } }));
      }
      next(err);
    });
  };
}

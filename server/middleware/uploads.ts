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

import type { AttachmentKind } from '../../models/post-content.ts';

/**
 * What a person may call a file of each kind. The bytes decide the kind; the
 * name's extension and the type the browser declared (which browsers take from
 * the extension) must say the same kind, so that a page or a script cannot be
 * sent as a picture and kept as text. Binary kinds may be declared as
 * `application/octet-stream` (a browser that does not know the extension); text
 * must be declared as text.
 */
export const KIND_NAMES: Record<AttachmentKind, { extensions: string[]; declared: string[] }> = {
  image: {
    extensions: ['png', 'jpg', 'jpeg', 'jpe', 'jfif', 'webp', 'gif'],
    declared: [
      'image/png',
      'image/jpeg',
      'image/pjpeg',
      'image/webp',
      'image/gif',
      'application/octet-stream',
    ],
  },
  pdf: {
    extensions: ['pdf'],
    declared: ['application/pdf', 'application/x-pdf', 'application/octet-stream'],
  },
  audio: {
    extensions: ['mp3', 'ogg', 'oga', 'opus', 'wav', 'wave', 'm4a', 'mp4', 'webm', 'weba', 'aac'],
    declared: [
      'audio/*',
      // Browsers declare the containers audio recordings come in by their video type.
      'video/mp4',
      'video/webm',
      'video/ogg',
      'application/ogg',
      'application/octet-stream',
    ],
  },
  text: {
    extensions: ['txt', 'text', 'csv', 'tsv', 'log', 'md'],
    declared: [
      'text/plain',
      'text/csv',
      'text/x-csv',
      'text/tab-separated-values',
      'text/markdown',
      'text/x-markdown',
      'text/x-log',
      'application/csv',
      // What Windows browsers declare for a .csv file when a spreadsheet program owns the extension.
      'application/vnd.ms-excel',
    ],
  },
};

/** The lower-case extension of a file name, or '' when it has none. */
export function extensionOf(name: string): string {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(name.trim());
  return match ? match[1]!.toLowerCase() : '';
}

/** The media type of a part's Content-Type header, without parameters. */
function mediaType(declared: string): string {
  return declared.split(';')[0]!.trim().toLowerCase();
}

export type NameVerdict = { ok: true } | { ok: false; reason: 'name' | 'declared' };

/** Whether a file's name and declared type say the kind its bytes are. */
export function namedAsKind(kind: AttachmentKind, name: string, declared: string): NameVerdict {
  const rules = KIND_NAMES[kind];
  if (!rules.extensions.includes(extensionOf(name))) return { ok: false, reason: 'name' };
  const type = mediaType(declared);
  const family = `${type.split('/')[0]}/*`;
  if (!rules.declared.includes(type) && !rules.declared.includes(family))
    return { ok: false, reason: 'declared' };
  return { ok: true };
}

/** ".png, .jpg, …" for a message. */
export function extensionList(kind: AttachmentKind): string {
  return KIND_NAMES[kind].extensions.map((e) => `.${e}`).join(', ');
}

/**
 * Text that is in fact markup a browser would render or run: an HTML page, an
 * SVG picture, an XML document. Refused, whatever it is called.
 */
export function isMarkup(text: string): boolean {
  return /^\uFEFF?\s*<(?:\?xml|!doctype|!--|html|head|body|svg|script|iframe|object|embed|meta|style|math|xsl)\b/i.test(
    text.slice(0, 4096),
  );
}

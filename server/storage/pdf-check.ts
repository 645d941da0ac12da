import zlib from 'node:zlib';

/**
 * Dictionary keys that make a PDF do something by itself: run JavaScript
 * (`/JavaScript`, `/JS`), act when it is opened or a page is shown
 * (`/OpenAction`, `/AA`), start a program (`/Launch`).
 */
const ACTIVE_KEYS = new Set(['JavaScript', 'JS', 'OpenAction', 'AA', 'Launch']);

/** Most bytes inflated from a PDF's object streams (against compression bombs). */
const MAX_INFLATED = 50_000_000;

/** A PDF name (`/OpenAction`, `/J#61vaScript`), up to the next delimiter. */
const NAME = /\/([^\s/[\]<>(){}%]+)/g;

function decodeName(raw: string): string {
  return raw.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function hasActiveKey(text: string): boolean {
  for (const match of text.matchAll(NAME)) if (ACTIVE_KEYS.has(decodeName(match[1]!))) return true;
  return false;
}

/**
 * Where a stream's bytes end: after its declared `/Length` when that is a number
 * and `endstream` follows there (compressed bytes may contain the word by
 * chance), else at the first `endstream`.
 */
function streamEnd(text: string, bodyStart: number, dictionary: string): number {
  const length = /\/Length\s+(\d+)\b(?!\s+\d+\s+R)/.exec(dictionary);
  if (length) {
    const end = bodyStart + Number(length[1]);
    if (/^\s*endstream/.test(text.slice(end, end + 20))) return end;
  }
  return text.indexOf('endstream', bodyStart);
}

export type PdfVerdict = 'plain' | 'active' | 'uncheckable';

/**
 * Whether a PDF can do something by itself when opened. Its objects are read
 * where they are written in clear and inside its object streams (where PDF 1.5
 * and later compress dictionaries); a PDF whose object streams cannot be read —
 * encrypted, or in an unusual encoding — cannot be checked, and is not accepted
 * either. Content streams (the drawing of the pages) carry no actions and are
 * not read.
 */
export function checkPdf(data: Buffer): PdfVerdict {
  const text = data.toString('latin1');
  // Outside the streams: what the PDF says in clear. Stream bytes are skipped, so that
  // compressed page content cannot look like a key by chance.
  const outside: string[] = [];
  const objectStreams: Array<{ dictionary: string; bytes: Buffer }> = [];
  const streamStart = /(?<![A-Za-z])stream\r?\n/g;
  let cursor = 0;
  for (let match = streamStart.exec(text); match; match = streamStart.exec(text)) {
    const before = text.slice(cursor, match.index);
    outside.push(before);
    const bodyStart = match.index + match[0].length;
    const dictionary = before.slice(before.lastIndexOf('obj') + 3);
    const bodyEnd = streamEnd(text, bodyStart, dictionary);
    if (bodyEnd < 0) return 'uncheckable';
    if (/\/Type\s*\/ObjStm\b/.test(dictionary))
      objectStreams.push({ dictionary, bytes: data.subarray(bodyStart, bodyEnd) });
    cursor = bodyEnd + 'endstream'.length;
    streamStart.lastIndex = cursor;
  }
  outside.push(text.slice(cursor));
  const clear = outside.join(' ');
  if (hasActiveKey(clear)) return 'active';
  const encrypted = /\/Encrypt\b/.test(clear);
  let inflated = 0;
  for (const { dictionary, bytes } of objectStreams) {
    // Encrypted object streams, other encodings and predictors are not read: not checkable.
    if (encrypted || /\/DecodeParms/.test(dictionary)) return 'uncheckable';
    if (!/\/Filter\s*(?:\/FlateDecode|\[\s*\/FlateDecode\s*\])/.test(dictionary)) return 'uncheckable';
    let objects: Buffer;
    try {
      objects = zlib.inflateSync(bytes, {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        maxOutputLength: Math.max(1, MAX_INFLATED - inflated),
      });
    } catch {
      return 'uncheckable';
    }
    inflated += objects.length;
    if (hasActiveKey(objects.toString('latin1'))) return 'active';
  }
  return 'plain';
}

// The part of busboy's API that csrf.ts's first-field check uses (multer brings busboy;
// it ships no types of its own).
declare module 'busboy' {
  import type { IncomingHttpHeaders } from 'node:http';
  import type { Readable, Writable } from 'node:stream';

  interface BusboyConfig {
    headers: IncomingHttpHeaders;
    limits?: { fieldSize?: number; fields?: number; files?: number; parts?: number; fileSize?: number };
  }

  interface Busboy extends Writable {
    on(event: 'field', listener: (name: string, value: string) => void): this;
    on(event: 'file', listener: (name: string, stream: Readable) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'finish', listener: () => void): this;
  }

  export default function busboy(config: BusboyConfig): Busboy;
}

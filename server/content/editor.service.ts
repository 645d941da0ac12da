import type { SessionUser } from '../auth/session-user.ts';
import { ValidationError } from '../core/errors.ts';
import {
  type AttachmentLimits,
  returnUploadQuota,
  storeAttachments,
  takeUploadQuota,
  type UploadedFile,
} from '../posts/attachments.ts';
import type { FileStorage } from '../storage/file-storage.ts';
import type { ContentRenderer } from './renderer.ts';

export interface EditorDeps {
  renderer: ContentRenderer;
  storage: FileStorage;
  limits: AttachmentLimits;
  uploadsPerMinute: number;
}

export interface InsertedImage {
  url: string;
  /** What the editor puts in the text: `![name](url)`. */
  markdown: string;
  name: string;
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

/**
 * What the writing toolbar asks the server while someone writes: the preview
 * of their text through the same pipeline as the published page (mentions and
 * KB references resolved, sanitized), and pictures pasted or dropped into the
 * text, stored as the person's uploads and referenced from the markdown.
 */
export class EditorService {
  readonly #deps: EditorDeps;

  constructor(deps: EditorDeps) {
    this.#deps = deps;
  }

  /** The text as its page will show it. */
  async preview(text: string): Promise<string> {
    const { html } = await this.#deps.renderer.render({ text });
    return html.text;
  }

  /**
   * Stores one picture pasted or dropped into a text (re-encoded without
   * metadata, like every attachment; counted in the person's uploads a minute).
   * Anything but a PNG, JPEG, WebP or GIF is refused, naming the file.
   */
  async image(actor: SessionUser, file: UploadedFile | undefined): Promise<InsertedImage> {
    if (!file || file.size === 0) throw new ValidationError({ image: { key: 'editor.imageMissing' } });
    if (!IMAGE_TYPES.has(file.mimetype))
      throw new ValidationError({ image: { key: 'editor.imageOnly', params: { name: file.originalname } } });
    await takeUploadQuota(actor.id, 1, this.#deps.uploadsPerMinute);
    let stored: Awaited<ReturnType<typeof storeAttachments>>[number] | undefined;
    try {
      [stored] = await storeAttachments([file], { ...this.#deps.limits, maxFiles: 1 }, this.#deps.storage, {
        owner: actor.id,
        use: 'inline',
      });
    } catch (err) {
      await returnUploadQuota(actor.id, 1).catch(() => {});
      throw err;
    }
    const url = `/attachments/${stored!.fileId}/${encodeURIComponent(stored!.filename)}`;
    const alt = stored!.displayName
      .replace(/\.[a-z0-9]+$/i, '')
      .replace(/[[\]\\\r\n]/g, ' ')
      .trim();
    return { url, markdown: `![${alt}](${url})`, name: stored!.displayName };
  }
}

/**
 * A term's posting list: the ordinals of the documents that contain it
 * (ascending) and the weighted term frequency in each (1…255). Stored as one
 * binary value: for each entry, the gap to the previous ordinal as a varint
 * followed by one weight byte, so a common term costs about two bytes per
 * document (the engine decodes bytes, not array elements, cheaply).
 */
export interface Postings {
  ords: Uint32Array;
  weights: Uint8Array;
}

export const EMPTY_POSTINGS: Postings = { ords: new Uint32Array(0), weights: new Uint8Array(0) };

export function clampWeight(weight: number): number {
  return Math.max(1, Math.min(255, Math.round(weight)));
}

export function encodePostings(
  ords: ArrayLike<number>,
  weights: ArrayLike<number>,
  count = ords.length,
): Buffer {
  const out = Buffer.allocUnsafe(count * 6);
  let pos = 0;
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const ord = ords[i]!;
    let gap = ord - previous;
    if (gap < 0 || (i > 0 && gap === 0)) throw new Error('postings must be strictly ascending');
    previous = ord;
    while (gap >= 0x80) {
      out[pos++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    out[pos++] = gap;
    out[pos++] = clampWeight(weights[i]!);
  }
  return out.subarray(0, pos);
}

export function decodePostings(data: Uint8Array, count: number): Postings {
  const ords = new Uint32Array(count);
  const weights = new Uint8Array(count);
  let pos = 0;
  let previous = 0;
  for (let i = 0; i < count; i++) {
    let gap = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = data[pos++]!;
      gap += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    previous += gap;
    ords[i] = previous;
    weights[i] = data[pos++]!;
  }
  return { ords, weights };
}

/** Grows while a segment is built; ordinals are appended in ascending order. */
export class PostingsBuilder {
  ords = new Uint32Array(4);
  weights = new Uint8Array(4);
  length = 0;

  push(ord: number, weight: number): void {
    if (this.length === this.ords.length) {
      const ords = new Uint32Array(this.length * 2);
      ords.set(this.ords);
      this.ords = ords;
      const weights = new Uint8Array(this.length * 2);
      weights.set(this.weights);
      this.weights = weights;
    }
    this.ords[this.length] = ord;
    this.weights[this.length] = clampWeight(weight);
    this.length++;
  }

  encode(): Buffer {
    return encodePostings(this.ords, this.weights, this.length);
  }
}

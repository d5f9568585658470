/**
 * Rule fields whose text repeats from row to row on a page (the merchant, the currency, the method, the dates, a fee's
 * type), by path (`fees[].type`: the member of each item). Both accelerators make their strings through RepeatedText:
 * the producer's from Toss's JSON text (settlement-json-avro.ts), the consumer's from Avro bytes
 * (settlement-rule-reader.ts).
 */
export const REPEATING_TEXT_FIELDS: ReadonlySet<string> = new Set(['mId', 'currency', 'method', 'soldDate', 'paidOutDate', 'fees[].type']);

const MEMO_BYTES = 32;

/**
 * A field's last string and its bytes: the same bytes again give the same string without decoding (or allocating)
 * it anew. A miss copies the bytes (at most 32; a longer text is not kept).
 */
export class RepeatedText {
  #text = '';
  #length = -1;
  readonly #bytes = Buffer.alloc(MEMO_BYTES);

  /** The string of b[from, to): UTF-8, or Latin-1 when the caller knows every byte is below 0x80 (`ascii`, faster). */
  text(b: Buffer, from: number, to: number, ascii: boolean): string {
    const bytes = this.#bytes;
    const length = to - from;
    let same = length === this.#length;
    for (let k = 0; same && k < length; k++) same = bytes[k] === b[from + k];
    if (!same) {
      this.#text = b.toString(ascii ? 'latin1' : 'utf8', from, to);
      this.#length = length <= MEMO_BYTES ? length : -1;
      if (this.#length >= 0) b.copy(bytes, 0, from, to);
    }
    return this.#text;
  }
}

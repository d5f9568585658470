/**
 * Buffers for response bodies, handed back once a body is read and reused for the next. A settlement page is ~4 MB:
 * a fresh buffer per page is memory the kernel maps and zero-fills again and that V8 counts as external memory, which
 * paces its full GCs (issue 19 round seven). At most `keep` free buffers are kept; the rest are left to the GC.
 */
export class BodyBuffers {
  readonly #free: Buffer[] = [];
  /** The memory of every buffer handed out, so a view of one is recognised, and handed back once only. */
  readonly #ours = new WeakSet<ArrayBufferLike>();

  constructor(
    private readonly keep: number,
    private readonly minBytes = 64 * 1024,
  ) {}

  /** A buffer of at least `bytes` (a kept one when one is large enough), its whole memory its own. */
  take(bytes: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const b = this.#free[i] as Buffer;
      if (b.length >= bytes && (best < 0 || b.length < (this.#free[best] as Buffer).length)) best = i;
    }
    if (best >= 0) return this.#free.splice(best, 1)[0] as Buffer;
    const fresh = Buffer.allocUnsafeSlow(Math.max(bytes, this.minBytes));
    this.#ours.add(fresh.buffer);
    return fresh;
  }

  /**
   * Hands back the buffer `view` lies in (a view of one `take` gave: a body). Ignored for memory this never handed
   * out or already holds. The caller reads nothing of it afterwards.
   */
  give(view: Uint8Array): void {
    const memory = view.buffer;
    if (!this.#ours.has(memory) || this.#free.some((b) => b.buffer === memory)) return;
    if (this.#free.length >= this.keep) {
      // keep the larger ones: a page grows the buffers it needs, a short last page must not evict them
      let smallest = 0;
      for (let i = 1; i < this.#free.length; i++) if ((this.#free[i] as Buffer).length < (this.#free[smallest] as Buffer).length) smallest = i;
      if ((this.#free[smallest] as Buffer).length >= memory.byteLength) return;
      this.#free.splice(smallest, 1);
    }
    this.#free.push(Buffer.from(memory, 0, memory.byteLength));
  }

  /** Free buffers kept (for tests and metrics). */
  get free(): number {
    return this.#free.length;
  }
}

/**
 * The body's bytes read into a buffer of `buffers` (sized from `expected`, the Content-Length when there is one,
 * grown by doubling), as a view of it. On a failure the buffer is handed back before the error is thrown.
 */
export async function readBody(body: AsyncIterable<Uint8Array>, expected: number, buffers: BodyBuffers): Promise<Buffer> {
  let buf = buffers.take(expected);
  let used = 0;
  try {
    for await (const chunk of body) {
      if (used + chunk.length > buf.length) {
        const bigger = buffers.take(Math.max(2 * buf.length, used + chunk.length));
        bigger.set(buf.subarray(0, used));
        buffers.give(buf);
        buf = bigger;
      }
      buf.set(chunk, used);
      used += chunk.length;
    }
  } catch (error) {
    buffers.give(buf);
    throw error;
  }
  return buf.subarray(0, used);
}

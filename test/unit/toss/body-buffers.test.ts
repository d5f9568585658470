import { describe, expect, it } from 'vitest';
import { BodyBuffers, readBody } from '../../../src/infrastructure/toss/body-buffers.js';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

async function* failingAfter(part: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(part);
  throw new Error('connection reset');
}

describe('BodyBuffers: response bodies read into reused buffers', () => {
  it('hands back a buffer given back (a view of it recognised), the smallest large enough first', () => {
    const buffers = new BodyBuffers(4, 16);
    const a = buffers.take(100);
    const b = buffers.take(1_000);
    expect(a.length).toBe(100);
    buffers.give(a.subarray(0, 10));
    buffers.give(b.subarray(3, 7));
    expect(buffers.free).toBe(2);
    expect(buffers.take(50).buffer).toBe(a.buffer);
    expect(buffers.take(50).buffer).toBe(b.buffer);
    expect(buffers.take(50).buffer).not.toBe(a.buffer); // none left: a fresh one
  });

  it('ignores memory it never handed out and a buffer it already holds', () => {
    const buffers = new BodyBuffers(4);
    buffers.give(Buffer.alloc(10));
    const a = buffers.take(10);
    buffers.give(a);
    buffers.give(a.subarray(1));
    expect(buffers.free).toBe(1);
    const again = buffers.take(10);
    expect(again.buffer).toBe(a.buffer);
    expect(buffers.take(10).buffer).not.toBe(a.buffer);
  });

  it('keeps at most `keep`, the largest ones', () => {
    const buffers = new BodyBuffers(2, 1);
    const [small, large, medium] = [buffers.take(10), buffers.take(1_000), buffers.take(100)];
    for (const b of [small, large, medium]) buffers.give(b);
    expect(buffers.free).toBe(2);
    expect(buffers.take(1).buffer).toBe(medium.buffer);
    expect(buffers.take(1).buffer).toBe(large.buffer);
  });

  it('reads a body across chunks, growing the buffer past a wrong or missing length, as a view of it', async () => {
    const buffers = new BodyBuffers(4, 4);
    for (const expected of [0, 3, 11, 500]) {
      const body = await readBody(chunks('[1,', '2,3', ']', ''), expected, buffers);
      expect(body.toString()).toBe('[1,2,3]');
      buffers.give(body);
    }
    const grown = await readBody(chunks('x'.repeat(5), 'y'.repeat(9), 'z'.repeat(20)), 4, buffers);
    expect(grown.toString()).toBe('x'.repeat(5) + 'y'.repeat(9) + 'z'.repeat(20));
    expect(grown.byteOffset).toBe(0); // the outline reads a body four bytes at a time where it is 4-aligned
  });

  it('hands the buffer back when the body fails midway, and the next body reuses it', async () => {
    const buffers = new BodyBuffers(4, 64);
    await expect(readBody(failingAfter('[1,2'), 64, buffers)).rejects.toThrow('connection reset');
    expect(buffers.free).toBe(1);
    const next = await readBody(chunks('[3]'), 3, buffers);
    expect(next.toString()).toBe('[3]');
    expect(buffers.free).toBe(0);
  });
});

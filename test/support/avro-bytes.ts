/** Avro's long as bytes: zig-zag, then 7 bits per byte, low first (BigInt: values beyond 2^53 too, which avsc refuses to write). */
export function zigZagVarint(n: bigint): Buffer {
  let z = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

import { Writable } from 'node:stream';

/** A stream runCli can write to (its stdout or stderr), and what was written so far. */
export const collect = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
};

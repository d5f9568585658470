/**
 * The last line of a terminal, kept for a live status (the progress bar) while everything else prints above it.
 * While it is shown it owns the streams' `write` (stderr, and stdout when that is the same kind of terminal): any
 * text written to them (a log line, a worker thread's forwarded stderr, a message) is held until its line is
 * complete, then written in ONE write with the status line cleared before it and drawn again after it. The status
 * line is cut to the terminal's width, so it never wraps onto a second line it could not clear.
 * Control sequences used: CR, erase line (CSI 2K), hide/show cursor (CSI ?25l/h); no cursor save/restore, which
 * breaks once the screen scrolls.
 */
type Write = NodeJS.WriteStream['write'];

const CLEAR = '\r\x1b[2K';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

export class StatusLine {
  readonly #streams: NodeJS.WriteStream[];
  readonly #main: NodeJS.WriteStream;
  readonly #originals = new Map<NodeJS.WriteStream, Write>();
  #text = '';
  #active = false;
  #pending = '';
  readonly #restoreCursor = () => this.#raw(SHOW_CURSOR);

  /** `stream`: where the line is drawn (stderr). `others`: streams on the same terminal whose writes must keep off it. */
  constructor(stream: NodeJS.WriteStream, others: readonly NodeJS.WriteStream[] = []) {
    this.#main = stream;
    this.#streams = [stream, ...others.filter((s) => s !== stream && s.isTTY === true)];
  }

  get active(): boolean {
    return this.#active;
  }

  start(text: string): void {
    if (this.#active) return;
    this.#active = true;
    this.#text = text;
    for (const s of this.#streams) {
      const original = s.write;
      this.#originals.set(s, original);
      s.write = this.#interceptor(s, original);
    }
    process.once('exit', this.#restoreCursor); // a hard exit mid-run must not leave the cursor hidden
    this.#raw(`${HIDE_CURSOR}${CLEAR}${this.#fit(text)}`);
  }

  /** Redraws the line when its text changed. */
  update(text: string): void {
    if (!this.#active || text === this.#text) return;
    this.#text = text;
    this.#raw(`${CLEAR}${this.#fit(text)}`);
  }

  /** Draws the final text, leaves it as an ordinary line, and gives the streams back. */
  stop(finalText = this.#text): void {
    if (!this.#active) return;
    this.#text = finalText;
    const pending = this.#pending;
    this.#pending = '';
    this.#raw(`${CLEAR}${pending ? `${pending}\n` : ''}${this.#fit(finalText)}\n${SHOW_CURSOR}`);
    for (const [s, original] of this.#originals) s.write = original;
    this.#originals.clear();
    process.removeListener('exit', this.#restoreCursor);
    this.#active = false;
  }

  #interceptor(stream: NodeJS.WriteStream, original: Write): Write {
    return ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const cb = typeof encoding === 'function' ? encoding : callback;
      const text =
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      this.#pending += text;
      const end = this.#pending.lastIndexOf('\n');
      let ok = true;
      if (end >= 0) {
        const complete = this.#pending.slice(0, end + 1);
        this.#pending = this.#pending.slice(end + 1);
        if (stream === this.#main) {
          ok = original.call(stream, `${CLEAR}${complete}${this.#fit(this.#text)}`);
        } else {
          // another stream on the same terminal: clear the line through the main one, write, then draw it again
          this.#raw(CLEAR);
          ok = original.call(stream, complete);
          this.#raw(this.#fit(this.#text));
        }
      }
      if (typeof cb === 'function') queueMicrotask(() => (cb as (e?: Error | null) => void)(null));
      return ok;
    }) as Write;
  }

  #raw(text: string): void {
    const write = this.#originals.get(this.#main) ?? this.#main.write;
    write.call(this.#main, text);
  }

  /** Cut to one terminal line (one column spare: writing the last column would leave the cursor waiting to wrap). */
  #fit(text: string): string {
    const columns = this.#main.columns > 0 ? this.#main.columns : 80;
    const chars = [...text];
    return chars.length < columns ? text : chars.slice(0, Math.max(1, columns - 1)).join('');
  }
}

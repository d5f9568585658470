import { Agent, request } from 'undici';
import type { Logger } from '../logging/logger.js';
import type { Secret } from '../config/secret.js';
import type { JsonRows, SettlementSource } from '../../application/settlement/ports.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { retry } from '../../application/shared/retry.js';
import { TossHttpError, tossErrorFrom } from './toss-http-error.js';
import { undiciBackstopMs, withinDeadline } from './toss-deadline.js';
import { outlineJsonArray, partTexts, type ArrayOutline } from './json-array-scan.js';
import { BodyBuffers, readBody } from './body-buffers.js';

export interface TossSettlementsClientOptions {
  readonly baseUrl: string;
  readonly secretKey: Secret;
  readonly timeoutMs?: number; // one total deadline per attempt (connect, headers, whole body); Toss: a lookup can take 60 s
  readonly maxRetries?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly connections?: number;
  /** Rows of a raw page parsed at a time (fetchRawPage; default ROWS_PER_PART). */
  readonly rowsPerPart?: number;
  readonly logger: Logger;
}

/** Basic auth: the secret key is the user name and the password is empty, so the colon is mandatory. */
export const basicAuth = (secretKey: Secret): string => `Basic ${Buffer.from(`${secretKey.reveal()}:`).toString('base64')}`;

/**
 * A page as Toss sent it, parsed when its turn comes, a part at a time. A page waiting behind others costs its UTF-8
 * bytes (~4 MB for 5,000 rows, off the V8 heap) instead of ~9 MB of strings and objects; a page being read has
 * one part's rows parsed at a time (ROWS_PER_PART), which die young. The body's outline (outlineJsonArray) is
 * checked when it arrives: a body cut short fails the fetch (TOSS_TRUNCATED_BODY), which retries it.
 */
export interface RawSettlementPage {
  readonly bytes: number;
  /** Rows on the page (counted from the outline, before any is parsed). */
  readonly count: number;
  /** The rows, one part at a time, each parsed when reached (once: the bytes go with the last part). */
  parts(): Iterable<unknown[]>;
  /** The rows as the text Toss sent (null when already parsed, or none): read these or `parts`, not both. */
  readonly json: JsonRows | null;
  /** The page was read: its body's buffer may take a later page (FetchedPage.release). Once; later calls do nothing. */
  readonly release: () => void;
}

/**
 * Rows parsed at a time: ~0.25 MB of JSON, ~0.5 MB of objects, a sliver of the producer's 8 MB young generation
 * (which kafkajs's garbage shares). A throwaway harness (20 pages of 5,000 rows parsed, validated and encoded under
 * the producer's heap flags) spent 233–306 ms in GC with parts of 250 rows, 268–327 with 500, 322–633 with 1,000,
 * 633–743 with 2,000, and 694–954 with whole pages.
 */
export const ROWS_PER_PART = 250;

/** A page whose rows are already parsed, as one part (`bytes`: the body they came from, 0 when unknown). */
export const parsedRawPage = (rows: unknown[], bytes = 0): RawSettlementPage => ({
  bytes,
  count: rows.length,
  parts: () => [rows],
  json: null,
  release: () => undefined,
});

/** The page's rows, or the error that says what is wrong with the body. */
function parseRows(body: Buffer, page: number): unknown[] {
  let rows: unknown;
  try {
    rows = JSON.parse(body.toString('utf8'));
  } catch {
    // a 200 whose body ends early (a dropped connection behind a proxy): the page is fetched again
    throw new SettleError('TOSS_TRUNCATED_BODY', `Toss settlement page ${page} body is not complete JSON (${body.length} bytes)`);
  }
  if (!Array.isArray(rows)) throw new SettleError('TOSS_UNEXPECTED_BODY', 'Toss settlement response is not a JSON array');
  return rows;
}

/**
 * A body whose outline is an array that closes is handed out in parts; anything else is parsed at once, so its
 * error (not an array, not JSON, cut short) comes from the fetch that retries it.
 */
export function rawSettlementPage(body: Buffer, page: number, perPart: number, giveBack: (body: Buffer) => void = () => undefined): RawSettlementPage {
  const outline = outlineJsonArray(body, perPart);
  if (outline === null) {
    const rows = parseRows(body, page);
    giveBack(body);
    return parsedRawPage(rows, body.length);
  }
  let held: Buffer | null = body;
  let released = false;
  const { bounds } = outline;
  return {
    release: () => {
      if (released) return; // handing a buffer back twice could give it to two pages at once
      released = true;
      held = null;
      giveBack(body);
    },
    bytes: body.length,
    count: outline.count,
    json: outline.count === 0 ? null : { text: body, bounds, parse: (i) => parseRow(body, bounds, i, page) },
    parts: () => {
      const bytes = held;
      held = null;
      if (bytes === null) throw new Error(`settlement page ${page} was already read`);
      return outline.count === 0 ? [] : parts(bytes, outline, page, perPart);
    },
  };
}

/** Row i of the outline's rows (JsonRows.parse), or the error naming it. */
function parseRow(body: Buffer, bounds: Uint32Array, i: number, page: number): unknown {
  try {
    return JSON.parse(body.toString('utf8', (bounds[i] as number) + 1, bounds[i + 1]));
  } catch {
    throw new SettleError('TOSS_UNEXPECTED_BODY', `Toss settlement page ${page} is not valid JSON in row ${i + 1}`);
  }
}

/** The outline's parts (partTexts), each parsed when the iteration reaches it. */
function* parts(body: Buffer, outline: ArrayOutline, page: number, perPart: number): Generator<unknown[]> {
  let first = 1;
  for (const text of partTexts(body, outline)) {
    let rows: unknown[];
    try {
      rows = JSON.parse(text) as unknown[];
    } catch {
      const last = Math.min(first + perPart - 1, outline.count);
      throw new SettleError('TOSS_UNEXPECTED_BODY', `Toss settlement page ${page} is not valid JSON in rows ${first}-${last}`);
    }
    yield rows;
    first += perPart;
  }
}

/** `GET /v1/settlements` over undici with keep-alive, a total deadline per attempt and bounded retries. */
export class TossSettlementsClient implements SettlementSource {
  readonly #agent: Agent;
  /** Page bodies' buffers, reused once a page is read (RawSettlementPage.release). */
  readonly #bodies: BodyBuffers;
  readonly #o: Required<Omit<TossSettlementsClientOptions, 'logger' | 'secretKey'>>;
  readonly #auth: string;
  readonly #log: Logger;

  constructor(options: TossSettlementsClientOptions) {
    this.#o = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 8,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      connections: options.connections ?? 8,
      rowsPerPart: options.rowsPerPart ?? ROWS_PER_PART,
    };
    this.#auth = basicAuth(options.secretKey);
    // a free buffer for each page a connection fetches ahead, the page being read and one more
    this.#bodies = new BodyBuffers(this.#o.connections + 2);
    this.#log = options.logger;
    // undici's own timeouts restart with every chunk: only a backstop; the deadline is withinDeadline's (#once)
    const backstop = undiciBackstopMs(this.#o.timeoutMs);
    this.#agent = new Agent({ connections: this.#o.connections, keepAliveTimeout: 30_000, headersTimeout: backstop, bodyTimeout: backstop });
  }

  async fetchPage(window: SettlementWindow, page: number, size: number, signal?: AbortSignal): Promise<unknown[]> {
    return this.#fetch(
      window,
      page,
      size,
      (body) => {
        const rows = parseRows(body, page);
        this.#bodies.give(body); // the rows are parsed from a copy: nothing holds the body
        return rows;
      },
      signal,
    );
  }

  /**
   * Like fetchPage (same retries), but the rows are parsed by `parts()`, a part at a time. A body cut short is
   * refused here (its outline does not close), so the fetch retries it.
   */
  async fetchRawPage(window: SettlementWindow, page: number, size: number, signal?: AbortSignal): Promise<RawSettlementPage> {
    return this.#fetch(window, page, size, (body) => rawSettlementPage(body, page, this.#o.rowsPerPart, (b) => this.#bodies.give(b)), signal);
  }

  /** `read` turns the body into the result, and hands the body's buffer back once the result holds nothing of it. */
  async #fetch<T>(window: SettlementWindow, page: number, size: number, read: (body: Buffer) => T, signal?: AbortSignal): Promise<T> {
    const query = new URLSearchParams({ startDate: window.from, endDate: window.to, dateType: window.dateType, page: String(page), size: String(size) });
    const url = `${this.#o.baseUrl}/v1/settlements?${query}`;
    const readBack = (body: Buffer): T => {
      try {
        return read(body);
      } catch (error) {
        this.#bodies.give(body); // refused (cut short, not JSON): the fetch is retried or fails; nothing holds the body
        throw error;
      }
    };
    return retry(async (attempt) => readBack(await this.#once(url, page, attempt, signal)), {
      maxRetries: this.#o.maxRetries,
      baseDelayMs: this.#o.baseDelayMs,
      maxDelayMs: this.#o.maxDelayMs,
      isRetriable: (e) => e instanceof SettleError && e.retriable,
      retryAfterMs: (e) => (e instanceof TossHttpError ? e.retryAfterMs : null),
      onRetry: ({ attempt, delayMs, error }) => this.#log.warn({ page, attempt, delayMs, err: (error as Error).message }, 'retrying settlement page'),
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * The body of a 200 answer, as bytes (UTF-8 JSON, ~4 MB for 5,000 rows) in a buffer of #bodies (handed back when
   * the page is released, or at once by #fetch when nothing keeps it); any other status is an error. The whole
   * attempt, body included, has timeoutMs (a Toss trickling its body fails TOSS_TIMEOUT and is retried); our own
   * SettleErrors (HTTP answers) pass through; everything else is classified in one place (toss-transport-errors.ts).
   */
  async #once(url: string, page: number, attempt: number, signal?: AbortSignal): Promise<Buffer> {
    return withinDeadline(this.#o.timeoutMs, `GET /v1/settlements page ${page} (attempt ${attempt})`, signal, async (deadline) => {
      const res = await request(url, {
        dispatcher: this.#agent,
        headers: { authorization: this.#auth, accept: 'application/json', 'user-agent': 'settle/0.1' },
        signal: deadline,
      });
      if (res.statusCode !== 200) throw tossErrorFrom(res.statusCode, res.headers, await res.body.text());
      const length = Number(res.headers['content-length']);
      return readBody(res.body, Number.isSafeInteger(length) && length > 0 ? length : 0, this.#bodies);
    });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

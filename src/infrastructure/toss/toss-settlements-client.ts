import { Agent, request } from 'undici';
import type { Logger } from '../logging/logger.js';
import type { Secret } from '../config/secret.js';
import type { SettlementSource } from '../../application/settlement/ports.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { retry } from '../../application/shared/retry.js';
import { TossHttpError, tossErrorFrom } from './toss-http-error.js';
import { withinDeadline } from './toss-deadline.js';

export interface TossSettlementsClientOptions {
  readonly baseUrl: string;
  readonly secretKey: Secret;
  readonly timeoutMs?: number; // one total deadline per attempt (connect, headers, whole body); Toss: a lookup can take 60 s
  readonly maxRetries?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly connections?: number;
  readonly logger: Logger;
}

/** Basic auth: the secret key is the user name and the password is empty, so the colon is mandatory. */
export const basicAuth = (secretKey: Secret): string => `Basic ${Buffer.from(`${secretKey.reveal()}:`).toString('base64')}`;

/**
 * A page as Toss sent it, parsed when its turn comes. A page waiting behind others costs its UTF-8 bytes (~4 MB for
 * 5,000 rows, off the V8 heap) instead of ~9 MB of strings and objects that would outlive a young-generation GC
 * and become old-space garbage. `rows()` parses once; a body that does not parse throws the same
 * TOSS_TRUNCATED_BODY / TOSS_UNEXPECTED_BODY errors as fetchPage.
 */
export interface RawSettlementPage {
  readonly bytes: number;
  rows(): unknown[];
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

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
 * Checks what can be checked without parsing: a body that opens a JSON array must close one. Anything else is
 * parsed at once, so its error (not an array, not JSON) comes from the fetch that retries it.
 */
function rawPage(body: Buffer, page: number): RawSettlementPage {
  let first = 0;
  let last = body.length - 1;
  while (first <= last && isSpace(body[first] as number)) first++;
  while (last >= first && isSpace(body[last] as number)) last--;
  if (body[first] !== OPEN_BRACKET || body[last] !== CLOSE_BRACKET) {
    const rows = parseRows(body, page);
    return { bytes: body.length, rows: () => rows };
  }
  let held: Buffer | null = body;
  return {
    bytes: body.length,
    rows: () => {
      const bytes = held ?? Buffer.alloc(0);
      held = null; // parsed once; the bytes go with the first call
      return parseRows(bytes, page);
    },
  };
}

/** `GET /v1/settlements` over undici with keep-alive, a total deadline per attempt and bounded retries. */
export class TossSettlementsClient implements SettlementSource {
  readonly #agent: Agent;
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
    };
    this.#auth = basicAuth(options.secretKey);
    this.#log = options.logger;
    // undici's own timeouts restart with every chunk: only a backstop; the deadline is withinDeadline's (#once)
    this.#agent = new Agent({ connections: this.#o.connections, keepAliveTimeout: 30_000, headersTimeout: this.#o.timeoutMs, bodyTimeout: this.#o.timeoutMs });
  }

  async fetchPage(window: SettlementWindow, page: number, size: number, signal?: AbortSignal): Promise<unknown[]> {
    return this.#fetch(window, page, size, (body) => parseRows(body, page), signal);
  }

  /**
   * Like fetchPage (same retries), but the rows are parsed by `rows()`. A body cut short is refused here when it
   * no longer ends its array; one that still does (cut right after a nested array) fails in `rows()`, and
   * PrefetchingPageReader then fetches that page again through fetchPage.
   */
  async fetchRawPage(window: SettlementWindow, page: number, size: number, signal?: AbortSignal): Promise<RawSettlementPage> {
    return this.#fetch(window, page, size, (body) => rawPage(body, page), signal);
  }

  async #fetch<T>(window: SettlementWindow, page: number, size: number, read: (body: Buffer) => T, signal?: AbortSignal): Promise<T> {
    const query = new URLSearchParams({ startDate: window.from, endDate: window.to, dateType: window.dateType, page: String(page), size: String(size) });
    const url = `${this.#o.baseUrl}/v1/settlements?${query}`;
    return retry(async (attempt) => read(await this.#once(url, page, attempt, signal)), {
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
   * The body of a 200 answer, as bytes (UTF-8 JSON, ~4 MB for 5,000 rows); any other status is an error. The whole
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
      return Buffer.from(await res.body.arrayBuffer());
    });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

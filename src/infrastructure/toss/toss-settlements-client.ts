import { Agent, request } from 'undici';
import type { Logger } from '../logging/logger.js';
import type { Secret } from '../config/secret.js';
import type { SettlementSource } from '../../application/settlement/ports.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import { retry } from '../../application/shared/retry.js';
import { TossHttpError, tossErrorFrom } from './toss-http-error.js';
import { tossTransportError } from './toss-transport-errors.js';

export interface TossSettlementsClientOptions {
  readonly baseUrl: string;
  readonly secretKey: Secret;
  readonly timeoutMs?: number; // Toss: a settlement lookup can take up to 60 s
  readonly maxRetries?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly connections?: number;
  readonly logger: Logger;
}

/** Basic auth: the secret key is the user name and the password is empty, so the colon is mandatory. */
export const basicAuth = (secretKey: Secret): string => `Basic ${Buffer.from(`${secretKey.reveal()}:`).toString('base64')}`;

/** `GET /v1/settlements` over undici with keep-alive, timeouts and bounded retries. */
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
    this.#agent = new Agent({ connections: this.#o.connections, keepAliveTimeout: 30_000, headersTimeout: this.#o.timeoutMs, bodyTimeout: this.#o.timeoutMs });
  }

  async fetchPage(window: SettlementWindow, page: number, size: number, signal?: AbortSignal): Promise<unknown[]> {
    const query = new URLSearchParams({ startDate: window.from, endDate: window.to, dateType: window.dateType, page: String(page), size: String(size) });
    const url = `${this.#o.baseUrl}/v1/settlements?${query}`;
    return retry((attempt) => this.#once(url, page, attempt, signal), {
      maxRetries: this.#o.maxRetries,
      baseDelayMs: this.#o.baseDelayMs,
      maxDelayMs: this.#o.maxDelayMs,
      isRetriable: (e) => e instanceof SettleError && e.retriable,
      retryAfterMs: (e) => (e instanceof TossHttpError ? e.retryAfterMs : null),
      onRetry: ({ attempt, delayMs, error }) => this.#log.warn({ page, attempt, delayMs, err: (error as Error).message }, 'retrying settlement page'),
      ...(signal ? { signal } : {}),
    });
  }

  async #once(url: string, page: number, attempt: number, signal?: AbortSignal): Promise<unknown[]> {
    try {
      const res = await request(url, {
        dispatcher: this.#agent,
        headers: { authorization: this.#auth, accept: 'application/json', 'user-agent': 'settle/0.1' },
        ...(signal ? { signal } : {}),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw tossErrorFrom(res.statusCode, res.headers, text);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        // a 200 whose body ends early (a dropped connection behind a proxy): the page is fetched again
        throw new SettleError('TOSS_TRUNCATED_BODY', `Toss settlement page body is not complete JSON (${text.length} bytes)`, { category: 'transient' });
      }
      if (!Array.isArray(body)) throw new SettleError('TOSS_UNEXPECTED_BODY', 'Toss settlement response is not a JSON array', { category: 'internal' });
      return body;
    } catch (error) {
      // our own SettleErrors (HTTP answers, bodies) pass through; everything else is classified in one place
      throw tossTransportError(error, `GET /v1/settlements page ${page} (attempt ${attempt})`);
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

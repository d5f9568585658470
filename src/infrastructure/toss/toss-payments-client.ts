import { Agent, request, type Dispatcher } from 'undici';
import type { TossApprovedPayment, TossCanceledPayment, TossCancelRequest, TossConfirmRequest, TossPayments } from '../../application/order/toss-payments.js';
import type { Log } from '../../application/shared/log.js';
import { retry } from '../../application/shared/retry.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { Secret } from '../config/secret.js';
import { paymentErrorCode } from './toss-payment-errors.js';
import { approvedPaymentFrom, canceledPaymentFrom } from './toss-payment-response.js';
import { TossHttpError, tossErrorFrom } from './toss-http-error.js';
import { undiciBackstopMs, withinDeadline } from './toss-deadline.js';

export interface TossPaymentsClientOptions {
  readonly baseUrl: string;
  readonly secretKey: Secret;
  readonly timeoutMs?: number; // one total deadline per attempt: connect, headers and the whole body
  readonly maxRetries?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Sent on every request; tests pick Prism examples with `Prefer: code=403, example=NOT_CANCELABLE_AMOUNT`. */
  readonly extraHeaders?: Readonly<Record<string, string>>;
  readonly logger?: Log;
  readonly dispatcher?: Dispatcher;
}

/**
 * Toss's payment POSTs over undici. Every attempt of one call carries the SAME Idempotency-Key, so retrying a
 * 429, a 5xx, a 409 IDEMPOTENT_REQUEST_PROCESSING or a dropped connection can never charge or refund twice: Toss
 * replays its first answer. The secret key only ever appears inside the Authorization header.
 */
export class TossPaymentsClient implements TossPayments {
  readonly #o: { baseUrl: string; timeoutMs: number; maxRetries: number; baseDelayMs: number; maxDelayMs: number };
  readonly #auth: string;
  readonly #extra: Readonly<Record<string, string>>;
  readonly #log: Log | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;

  constructor(options: TossPaymentsClientOptions) {
    this.#o = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      timeoutMs: options.timeoutMs ?? 60_000, // Toss asks clients to allow up to 60 s
      maxRetries: options.maxRetries ?? 5,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 10_000,
    };
    // Basic auth with the secret key as user name and an empty password: the trailing colon is mandatory.
    this.#auth = `Basic ${Buffer.from(`${options.secretKey.reveal()}:`).toString('base64')}`;
    this.#extra = options.extraHeaders ?? {};
    this.#log = options.logger;
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
    this.#ownsDispatcher = options.dispatcher === undefined;
  }

  async confirm(req: TossConfirmRequest, idempotencyKey: string, signal?: AbortSignal): Promise<TossApprovedPayment> {
    const body = await this.#post('/v1/payments/confirm', { paymentKey: req.paymentKey, orderId: req.orderId, amount: req.amount }, idempotencyKey, signal);
    return approvedPaymentFrom(body);
  }

  async cancel(req: TossCancelRequest, idempotencyKey: string, signal?: AbortSignal): Promise<TossCanceledPayment> {
    // No cancelAmount = Toss cancels the whole remaining balance; refundableAmount guards both kinds.
    const payload = {
      cancelReason: req.cancelReason,
      ...(req.cancelAmount === null ? {} : { cancelAmount: req.cancelAmount }),
      refundableAmount: req.refundableAmount,
    };
    const body = await this.#post(`/v1/payments/${encodeURIComponent(req.paymentKey)}/cancel`, payload, idempotencyKey, signal);
    return canceledPaymentFrom(body);
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #post(path: string, payload: object, idempotencyKey: string, signal?: AbortSignal): Promise<unknown> {
    return retry((attempt) => this.#once(path, payload, idempotencyKey, attempt, signal), {
      maxRetries: this.#o.maxRetries,
      baseDelayMs: this.#o.baseDelayMs,
      maxDelayMs: this.#o.maxDelayMs,
      isRetriable: (e) => e instanceof SettleError && e.retriable,
      retryAfterMs: (e) => (e instanceof TossHttpError ? e.retryAfterMs : null),
      onRetry: ({ attempt, delayMs, error }) =>
        this.#log?.warn({ path, idempotencyKey, attempt, delayMs, code: (error as SettleError).code }, 'retrying Toss payment request'),
      ...(signal ? { signal } : {}),
    });
  }

  async #once(path: string, payload: object, idempotencyKey: string, attempt: number, signal?: AbortSignal): Promise<unknown> {
    // No complete HTTP answer within the deadline (timeoutMs for connect, headers and the whole body: undici's own
    // timeouts restart with every chunk and are only a backstop), or none at all: the request may or may not have
    // run at Toss; a retry carries the same key.
    const { res, text } = await withinDeadline(this.#o.timeoutMs, `POST ${path} (attempt ${attempt})`, signal, async (deadline) => {
      const answer: Dispatcher.ResponseData = await request(`${this.#o.baseUrl}${path}`, {
        method: 'POST',
        dispatcher: this.#dispatcher,
        headers: {
          ...this.#extra,
          authorization: this.#auth,
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': idempotencyKey,
          'user-agent': 'settle/0.1',
        },
        body: JSON.stringify(payload),
        headersTimeout: undiciBackstopMs(this.#o.timeoutMs),
        bodyTimeout: undiciBackstopMs(this.#o.timeoutMs),
        signal: deadline,
      });
      return { res: answer, text: await answer.body.text() };
    });
    if (res.statusCode < 200 || res.statusCode > 299) throw tossErrorFrom(res.statusCode, res.headers, text, paymentErrorCode);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // a 2xx whose body broke off: Toss did it, so asking again with the same key gets the replay
      throw new SettleError('TOSS_TRUNCATED_BODY', `Toss ${path} answered ${res.statusCode} with a body that is not complete JSON`);
    }
  }
}

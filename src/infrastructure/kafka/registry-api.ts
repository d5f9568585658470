import { Agent, request } from 'undici';
import type { Config } from '../config/config.js';
import { redactUrl } from '../config/secret.js';
import { SettleError } from '../../domain/shared/settle-error.js';

export interface RegisteredSchema {
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

export interface CompatibilityVerdict {
  readonly compatible: boolean;
  /** Why not, when the registry says (Confluent with ?verbose=true); others answer only true/false. */
  readonly messages: readonly string[];
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * The few Confluent REST calls the operators' tools need, over undici with short timeouts. Any
 * Confluent-compatible registry answers them (Confluent, Apicurio's ccompat API, Redpanda, Karapace).
 */
export class RegistryApi {
  readonly #agent: Agent;
  readonly #auth: string | null;

  constructor(
    private readonly registry: Config['registry'],
    private readonly timeoutMs = 5_000,
  ) {
    this.#agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 2 });
    this.#auth =
      registry.username && registry.password ? `Basic ${Buffer.from(`${registry.username}:${registry.password.reveal()}`).toString('base64')}` : null;
  }

  /** The latest version of a subject, or null when nothing is registered under it. */
  async latest(subject: string): Promise<RegisteredSchema | null> {
    const { status, body } = await this.#call('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    if (notRegistered(status, body)) return null;
    const b = this.#expectOk(status, body) as Partial<RegisteredSchema>;
    if (typeof b.schema !== 'string') throw new SettleError('SCHEMA_REGISTRY_ANSWER_INVALID', `registry answered ${status} without a schema for ${subject}`);
    return { version: Number(b.version), id: Number(b.id), schema: b.schema };
  }

  /** The subject's compatibility level, falling back to the global one when the subject has none of its own. */
  async compatibilityLevel(subject: string): Promise<string> {
    const own = await this.#call('GET', `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`);
    const { status, body } = own.status === 404 ? await this.#call('GET', '/config') : own;
    const b = this.#expectOk(status, body) as { compatibilityLevel?: string; compatibility?: string };
    return String(b.compatibilityLevel ?? b.compatibility ?? 'UNKNOWN');
  }

  /** POST /compatibility/subjects/<subject>/versions/latest: would `schema` be accepted as the next version? */
  async testCompatibility(subject: string, schema: string): Promise<CompatibilityVerdict> {
    const { status, body } = await this.#call('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, {
      schema,
      schemaType: 'AVRO',
    });
    if (notRegistered(status, body)) return { compatible: true, messages: [] };
    if (status === 422) return { compatible: false, messages: [messageOf(body) ?? 'the registry refused the schema as invalid (422)'] };
    const b = this.#expectOk(status, body) as { is_compatible?: boolean; messages?: unknown };
    return { compatible: b.is_compatible === true, messages: Array.isArray(b.messages) ? b.messages.map(String) : [] };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #call(method: 'GET' | 'POST', path: string, json?: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (this.#auth) headers.authorization = this.#auth;
    if (json !== undefined) headers['content-type'] = CONTENT_TYPE;
    try {
      const res = await request(`${this.registry.url}${path}`, {
        method,
        headers,
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      const text = await res.body.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // a proxy's HTML error page: keep the text for the message
      }
      return { status: res.statusCode, body };
    } catch (error) {
      const e = error as Error & { code?: string };
      throw new SettleError(
        'SCHEMA_REGISTRY_UNREACHABLE',
        `schema registry ${redactUrl(this.registry.url).replace(/\/$/, '')} did not answer: ${e.code ?? e.name} ${e.message}`.trim(),
        { cause: error },
      );
    }
  }

  #expectOk(status: number, body: unknown): unknown {
    if (status >= 200 && status < 300) return body;
    const what = `schema registry ${redactUrl(this.registry.url).replace(/\/$/, '')} answered ${status}: ${messageOf(body) ?? String(body).slice(0, 200)}`;
    if (status === 401 || status === 403)
      throw new SettleError('SCHEMA_REGISTRY_UNAUTHORIZED', `${what} (check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD)`);
    if (status >= 500 || status === 429) throw new SettleError('SCHEMA_REGISTRY_UNAVAILABLE', what);
    throw new SettleError('SCHEMA_REGISTRY_REJECTED', `${what} (check SCHEMA_REGISTRY_URL: it must be the Confluent-compatible API root)`);
  }
}

/** 40401 subject not found, 40402 version not found; a bare 404 is a wrong URL, reported by #expectOk. */
const notRegistered = (status: number, body: unknown): boolean =>
  status === 404 && body !== null && typeof body === 'object' && [40401, 40402].includes(Number((body as { error_code?: unknown }).error_code));

const messageOf = (body: unknown): string | undefined =>
  body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : undefined;

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSchemaRegistry, SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { exitCodeFor } from '../../../src/presentation/cli/exit-codes.js';

/**
 * What `settle produce` makes of a registry that will not take the settlement schema, through the real registry
 * client against a scripted Confluent API: the exit code must say whether a rerun can help (4) or not (2, 3).
 */
interface Answer {
  readonly status: number;
  readonly body: unknown;
}

let config: Answer;
/** When set, what reading the level answers from the second read on (another worker set it meanwhile). */
let laterConfig: Answer | null = null;
let configReads = 0;
let register: Answer;
let registrations = 0;
/** What setting the subject's level answers (the client does it after a first registration). */
let putConfig: () => Answer = () => ({ status: 200, body: { compatibility: 'BACKWARD' } });
/** A registry that takes the request and never answers (a JVM pause, a half-open connection). */
let stalled = false;
/** Asked for every request: true leaves that one request unanswered. */
let stallNext: () => boolean = () => false;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer =
      req.method === 'GET' && req.url?.startsWith('/config/')
        ? (++configReads > 1 && laterConfig) || config
        : req.method === 'PUT' && req.url?.startsWith('/config/')
          ? putConfig()
          : req.method === 'POST' && req.url?.endsWith('/versions')
            ? register
            : { status: 404, body: { error_code: 404, message: 'no such path' } };
    if (req.method === 'POST') registrations += 1;
    if (stalled || stallNext()) return;
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  registrations = 0;
  configReads = 0;
  laterConfig = null;
  stalled = false;
  stallNext = () => false;
  putConfig = () => ({ status: 200, body: { compatibility: 'BACKWARD' } });
  config = { status: 200, body: { compatibilityLevel: 'BACKWARD' } };
  register = { status: 200, body: { id: 7 } };
});

const registerUnder = (topic: string) => SettlementSerde.register(createSchemaRegistry({ url, username: null, password: null }), topic);

describe('registering the settlement schema', () => {
  it('returns the id the registry gave', async () => {
    expect((await registerUnder('t')).schemaId).toBe(7);
  });

  it('a subject on another compatibility level than BACKWARD is a configuration error (exit 2) naming the fix, and nothing is registered', async () => {
    // Apicurio answers a subject without a level of its own with the global one (NONE by default)
    config = { status: 200, body: { compatibilityLevel: 'NONE' } };
    const error = await registerUnder('toss.settlements.v1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SCHEMA_COMPATIBILITY_LEVEL', category: 'usage', retriable: false });
    expect((error as Error).message).toContain('toss.settlements.v1-value');
    expect((error as Error).message).toContain('"compatibility":"BACKWARD"');
    expect(exitCodeFor((error as { category: 'usage' }).category)).toBe(2);
    expect(registrations).toBe(0);
  });

  it('a 409 is an incompatible schema (exit 3) whatever words the registry uses', async () => {
    for (const message of [
      'Schema being registered is incompatible with an earlier schema',
      'io.apicurio.registry.rules.violation.RuleViolationException: num of diffs: {14}',
    ]) {
      register = { status: 409, body: { error_code: 409, message } };
      const error = await registerUnder('t').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', category: 'data', retriable: false });
      expect(exitCodeFor((error as { category: 'data' }).category)).toBe(3);
    }
  });

  it('a registry that fails is transient (exit 4): a rerun may succeed', async () => {
    register = { status: 503, body: { error_code: 50301, message: 'unavailable' } };
    const error = await registerUnder('t').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SCHEMA_REGISTRY_FAILED', category: 'transient', retriable: true });
    expect(exitCodeFor((error as { category: 'transient' }).category)).toBe(4);
  });
});

describe('workers registering a new subject at once', () => {
  it('the one that loses the race to set the level (Apicurio: the rule exists, 409) registers again and gets the same id', async () => {
    config = { status: 404, body: { error_code: 40401, message: 'Subject not found' } };
    putConfig = () => {
      config = { status: 200, body: { compatibilityLevel: 'BACKWARD' } }; // the other worker's level is in place now
      return { status: 409, body: { error_code: 409, message: "A rule named 'COMPATIBILITY' already exists." } };
    };
    expect((await registerUnder('t')).schemaId).toBe(7);
    expect(registrations).toBe(2);
  });

  it('the one that reads the level between the other\'s registration and its "set" (the registry\'s default, NONE) waits, asks again and registers', async () => {
    config = { status: 200, body: { compatibilityLevel: 'NONE' } };
    laterConfig = { status: 200, body: { compatibilityLevel: 'BACKWARD' } }; // the other worker's level, set after our first read
    expect((await registerUnder('t')).schemaId).toBe(7);
    expect(configReads).toBe(2);
    expect(registrations).toBe(1);
  });

  it('a subject that stays at NONE is still the configuration error after the retries, nothing registered', async () => {
    config = { status: 200, body: { compatibilityLevel: 'NONE' } };
    await expect(registerUnder('t')).rejects.toMatchObject({ code: 'SCHEMA_COMPATIBILITY_LEVEL', category: 'usage' });
    expect(configReads).toBe(4);
    expect(registrations).toBe(0);
  });

  it('a 409 that says anything else is still an incompatible schema, not retried', async () => {
    config = { status: 404, body: { error_code: 40401, message: 'Subject not found' } };
    putConfig = () => ({ status: 409, body: { error_code: 409, message: 'Schema being registered is incompatible with an earlier schema' } });
    await expect(registerUnder('t')).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
    expect(registrations).toBe(1);
  });
});

describe('a registry that never answers', () => {
  it('fails the registration at the request deadline as transient (exit 4) instead of hanging the run', async () => {
    stalled = true;
    const registry = createSchemaRegistry({ url, username: null, password: null }, { timeoutMs: 200 });
    const error = await SettlementSerde.register(registry, 't').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SCHEMA_REGISTRY_FAILED', category: 'transient', retriable: true });
    expect((error as Error).message).toMatch(/timeout/i);
    expect(configReads).toBe(4); // asked again after each deadline, then given up
  });

  it('a request lost once (no answer within the deadline) is asked again and the schema registered', async () => {
    let calls = 0;
    const registry = createSchemaRegistry({ url, username: null, password: null }, { timeoutMs: 200 });
    stallNext = () => ++calls === 1; // the first request of this registration never gets an answer
    expect((await SettlementSerde.register(registry, 't')).schemaId).toBe(7);
    expect(registrations).toBe(1);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { isSettleError } from '../../../src/domain/shared/settle-error.js';
import { loadConfig } from '../../../src/infrastructure/config/config.js';
import { checkRegistry } from '../../../src/infrastructure/health/registry-check.js';
import { RegistryApi } from '../../../src/infrastructure/kafka/registry-api.js';
import { checkSchemaCompatibility } from '../../../src/infrastructure/kafka/schema-compatibility.js';
import { SettlementSerde, createSchemaRegistry, readSettlementSchema, subjectFor } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { stack, uniqueName } from '../../support/producer-stack.js';

const registryConfig = (url = stack.registryUrl) => loadConfig({ SCHEMA_REGISTRY_URL: url }, ['registry']).registry;
const current = readSettlementSchema();
const withField = (field: Record<string, unknown>): string => {
  const s = JSON.parse(current) as { fields: unknown[] };
  s.fields.push(field);
  return JSON.stringify(s);
};

describe('schema check against the real registry (Confluent API)', () => {
  const topic = uniqueName('it.schema');
  const subject = subjectFor(topic);
  const api = new RegistryApi(registryConfig());

  afterAll(async () => {
    await api.close();
    // tidy up: soft then hard delete (Confluent semantics; Apicurio accepts both)
    for (const q of ['', '?permanent=true'])
      await request(`${stack.registryUrl}/subjects/${subject}${q}`, { method: 'DELETE' })
        .then((r) => r.body.dump())
        .catch(() => undefined);
  });

  it('a subject with nothing registered is fine ("nothing registered yet")', async () => {
    const result = await checkSchemaCompatibility(api, subject, current);
    expect(result.status).toBe('unregistered');
    expect(result.latestVersion).toBeNull();
  });

  it('doctor reports the missing subject and how to get it registered', async () => {
    const r = await checkRegistry(registryConfig(), topic);
    expect(r.ok).toBe(false);
    expect(r.transient).toBe(false);
    expect(r.detail).toContain(`subject ${subject} has no schema`);
    expect(r.fix).toContain('settle produce');
  });

  it('after the producer registered the current schema, the same schema is compatible and doctor passes', async () => {
    await SettlementSerde.register(createSchemaRegistry(registryConfig()), topic);
    const result = await checkSchemaCompatibility(api, subject, current);
    expect(result).toMatchObject({ status: 'compatible', registryCompatible: true, localCompatible: true, reasons: [] });
    expect(result.latestVersion).toBeGreaterThanOrEqual(1);

    const r = await checkRegistry(registryConfig(), topic);
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/compatibility BACKWARD/);
  });

  it('a new optional field with a default is compatible', async () => {
    const result = await checkSchemaCompatibility(api, subject, withField({ name: 'batchId', type: ['null', 'string'], default: null }));
    expect(result.status).toBe('compatible');
  });

  it('a new required field without a default is refused by the registry and by the local check, with the reason', async () => {
    const result = await checkSchemaCompatibility(api, subject, withField({ name: 'batchId', type: 'string' }));
    expect(result.status).toBe('incompatible');
    expect(result.registryCompatible).toBe(false);
    expect(result.localCompatible).toBe(false);
    expect(result.reasons.join('\n')).toMatch(/batchId/);
  });

  it('doctor fails a subject whose compatibility is not BACKWARD, with the command that fixes it', async () => {
    const put = await request(`${stack.registryUrl}/config/${subject}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'NONE' }),
    });
    expect(put.statusCode).toBe(200);
    await put.body.dump();
    const r = await checkRegistry(registryConfig(), topic);
    expect(r).toMatchObject({ ok: false, transient: false });
    expect(r.detail).toContain(`subject ${subject} has compatibility NONE, not BACKWARD`);
    expect(r.fix).toContain(`--data '{"compatibility":"BACKWARD"}' ${stack.registryUrl}/config/${subject}`);
  });

  it('an unreachable registry is a transient error (exit 4), for the check and for doctor', async () => {
    const down = new RegistryApi(registryConfig('http://127.0.0.1:1'), 2_000);
    let error: unknown;
    try {
      await checkSchemaCompatibility(down, subject, current);
    } catch (e) {
      error = e;
    } finally {
      await down.close();
    }
    expect(isSettleError(error) && error.category).toBe('transient');
    const r = await checkRegistry(registryConfig('http://127.0.0.1:1'), topic, 2_000);
    expect(r).toMatchObject({ ok: false, transient: true });
  });
});

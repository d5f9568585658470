import { faultStack } from './fault-stack.js';

/**
 * The suite registry's Confluent REST API, for scenarios that act as another team (or a newer producer build)
 * on a subject: register a version, set a subject's compatibility level, delete a subject.
 */
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> | unknown[] }> {
  const res = await fetch(`${faultStack.registryUrl}${path}`, {
    method,
    headers: { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const subjectPath = (subject: string) => `/subjects/${encodeURIComponent(subject)}`;

/** Registers `schema` (Avro, as text) under `subject`; returns the schema id. Throws with the registry's answer otherwise. */
export async function registerSchema(subject: string, schema: string): Promise<number> {
  const { status, body } = await call('POST', `${subjectPath(subject)}/versions`, { schema });
  if (status !== 200) throw new Error(`registering under ${subject}: ${status} ${JSON.stringify(body)}`);
  return Number((body as { id: unknown }).id);
}

export async function setCompatibility(subject: string, level: 'BACKWARD' | 'NONE'): Promise<void> {
  const { status, body } = await call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  if (status !== 200) throw new Error(`setting ${subject} to ${level}: ${status} ${JSON.stringify(body)}`);
}

/** The subject's versions (empty when it does not exist). */
export async function versionsOf(subject: string): Promise<number[]> {
  const { status, body } = await call('GET', `${subjectPath(subject)}/versions`);
  if (status === 404) return [];
  if (status !== 200) throw new Error(`versions of ${subject}: ${status} ${JSON.stringify(body)}`);
  return (body as unknown[]).map(Number);
}

/** Deletes the subject for good (soft delete, then permanent), as an operator removing a mistaken registration. */
export async function deleteSubject(subject: string): Promise<void> {
  for (const path of [subjectPath(subject), `${subjectPath(subject)}?permanent=true`]) {
    const { status, body } = await call('DELETE', path);
    if (status !== 200) throw new Error(`DELETE ${path}: ${status} ${JSON.stringify(body)}`);
  }
}

import { backwardCompatible, parseAvroSchema } from './avro-backward-check.js';
import type { RegistryApi } from './registry-api.js';

export type SchemaCheckStatus = 'compatible' | 'incompatible' | 'unregistered';

export interface SchemaCheckResult {
  readonly subject: string;
  readonly status: SchemaCheckStatus;
  /** The registry's latest version the local schema was compared with. */
  readonly latestVersion: number | null;
  readonly registryCompatible: boolean | null;
  readonly localCompatible: boolean | null;
  readonly reasons: readonly string[];
}

/**
 * Is `localSchema` acceptable as the next version of `subject` under BACKWARD? Asks the registry
 * (POST /compatibility/…/versions/latest) and checks locally with avsc, so a registry that answers only
 * true/false still yields a reason; either refusing makes it incompatible. Registry errors propagate
 * (unreachable is transient).
 */
export async function checkSchemaCompatibility(api: RegistryApi, subject: string, localSchema: string, label = 'the local schema'): Promise<SchemaCheckResult> {
  const local = parseAvroSchema(localSchema, label);
  const latest = await api.latest(subject);
  if (!latest) return { subject, status: 'unregistered', latestVersion: null, registryCompatible: null, localCompatible: null, reasons: [] };

  const registry = await api.testCompatibility(subject, localSchema);
  const own = backwardCompatible(local, parseAvroSchema(latest.schema, `${subject} version ${latest.version}`));
  const reasons = [
    ...(own.reason ? [`new readers cannot read version ${latest.version}'s data: ${own.reason}`] : []),
    ...(registry.compatible
      ? []
      : registry.messages.length
        ? registry.messages.map((m) => `registry: ${m}`)
        : [`the registry refused it against version ${latest.version} under the subject's compatibility level`]),
  ];
  return {
    subject,
    status: registry.compatible && own.compatible ? 'compatible' : 'incompatible',
    latestVersion: latest.version,
    registryCompatible: registry.compatible,
    localCompatible: own.compatible,
    reasons,
  };
}

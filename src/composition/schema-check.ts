import type { Config } from '../infrastructure/config/config.js';
import { RegistryApi } from '../infrastructure/kafka/registry-api.js';
import { checkSchemaCompatibility, type SchemaCheckResult } from '../infrastructure/kafka/schema-compatibility.js';
import { readSettlementSchema, subjectFor } from '../infrastructure/kafka/settlement-schema-file.js';
import type { Wired } from './wired.js';

/** `schema check`: an .avsc file against the registry's latest version of the settlements topic's value subject. */
export function wireSchemaCheck(config: Config): Wired<(file: string) => Promise<SchemaCheckResult>> {
  const api = new RegistryApi(config.registry);
  return {
    value: (file) => checkSchemaCompatibility(api, subjectFor(config.kafka.topic), readSettlementSchema(file), file),
    close: () => api.close(),
  };
}

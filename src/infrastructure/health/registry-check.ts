import type { Config } from '../config/config.js';
import { isSettleError } from '../../domain/shared/settle-error.js';
import { RegistryApi } from '../kafka/registry-api.js';
import { subjectFor } from '../kafka/settlement-serde.js';
import { displayUrl, failed, passed, type CheckResult } from './health-check.js';

const NAME = 'registry';

/** Levels under which a new reader schema can read data written with the previous one. */
const BACKWARD_LEVELS = new Set(['BACKWARD', 'BACKWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE']);

/** The subject `<topic>-value` exists and the registry enforces (at least) BACKWARD compatibility on it. */
export async function checkRegistry(registry: Config['registry'], topic: string, timeoutMs = 5_000): Promise<CheckResult> {
  const api = new RegistryApi(registry, timeoutMs);
  const subject = subjectFor(topic);
  const url = displayUrl(registry.url);
  try {
    const latest = await api.latest(subject);
    if (!latest)
      return failed(
        NAME,
        `subject ${subject} has no schema in ${url}`,
        'run `settle produce` once (it registers schemas/toss-settlement.avsc with BACKWARD compatibility); check SETTLEMENT_TOPIC (--topic)',
      );
    const level = await api.compatibilityLevel(subject);
    if (!BACKWARD_LEVELS.has(level))
      return failed(
        NAME,
        `subject ${subject} has compatibility ${level}, not BACKWARD: incompatible schema changes would be accepted`,
        `curl -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' --data '{"compatibility":"BACKWARD"}' ${url}/config/${subject}`,
      );
    return passed(NAME, `${url}: ${subject} version ${latest.version} (id ${latest.id}), compatibility ${level}`);
  } catch (error) {
    if (isSettleError(error) && error.retriable)
      return failed(NAME, error.message, 'start the registry or correct SCHEMA_REGISTRY_URL (--registry-url); retry once it is up', true);
    return failed(NAME, isSettleError(error) ? error.message : String(error), 'check SCHEMA_REGISTRY_URL (--registry-url) and the registry credentials');
  } finally {
    await api.close().catch(() => undefined);
  }
}

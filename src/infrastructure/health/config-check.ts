import { loadConfig, type Config, type ConfigSection, type Env } from '../config/config.js';
import { isSettleError } from '../../domain/shared/settle-error.js';
import { displayUrl, failed, passed, type CheckResult } from './health-check.js';

export const ALL_SECTIONS: readonly ConfigSection[] = ['toss', 'kafka', 'registry', 'mysql'];

/** Which variables a section depends on (prefixes); a problem in any of them makes the section unusable. */
const SECTION_VARS: Record<ConfigSection, readonly string[]> = {
  toss: ['TOSS_'],
  kafka: ['KAFKA_', 'SETTLEMENT_TOPIC'],
  registry: ['SCHEMA_REGISTRY_', 'SETTLEMENT_TOPIC'],
  mysql: ['MYSQL_'],
};

export interface ConfigCheck {
  readonly result: CheckResult;
  /** The configuration the other checks can use, or null when even the defaults do not load. */
  readonly config: Config | null;
  /** Sections whose checks can run. */
  readonly usable: ReadonlySet<ConfigSection>;
}

const VAR_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;

/**
 * loadConfig with every section, reporting problems instead of throwing. When some variables are wrong, the
 * checks of the sections that do not use them still run: the offending variables are dropped and the
 * config loaded again, and a section counts as usable only when none of its variables was dropped.
 */
export function checkConfig(env: Env): ConfigCheck {
  try {
    const config = loadConfig(env, ALL_SECTIONS);
    return { result: passed('configuration', describe(config)), config, usable: new Set(ALL_SECTIONS) };
  } catch (error) {
    if (!isSettleError(error)) throw error;
    const problems = Array.isArray(error.details.problems) ? (error.details.problems as string[]) : [error.message];
    const result = failed('configuration', problems.join('; '), 'set the variables named above (docs/configuration.md); flags such as --brokers override them');
    const bad = new Set(problems.flatMap((p) => p.match(VAR_NAME) ?? []));
    const stripped = Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k)));
    const usable = new Set(ALL_SECTIONS.filter((s) => ![...bad].some((v) => SECTION_VARS[s].some((prefix) => v.startsWith(prefix))) && loads(stripped, [s])));
    return { result, config: loads(stripped, [...usable]) ? loadConfig(stripped, [...usable]) : null, usable };
  }
}

const loads = (env: Env, needs: readonly ConfigSection[]): boolean => {
  try {
    loadConfig(env, needs);
    return true;
  } catch {
    return false;
  }
};

const describe = (c: Config): string =>
  `Toss ${displayUrl(c.toss.baseUrl)}, Kafka ${c.kafka.brokers.join(',')} topic ${c.kafka.topic}, registry ${displayUrl(c.registry.url)}, MySQL ${c.mysql.displayUrl}`;

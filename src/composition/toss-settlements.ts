import type { SettlementSource } from '../application/settlement/ports.js';
import type { Config } from '../infrastructure/config/config.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { PrefetchingPageReader } from '../infrastructure/toss/prefetching-page-reader.js';
import { TossSettlementsClient } from '../infrastructure/toss/toss-settlements-client.js';
import type { Wired } from './wired.js';

/**
 * The configured Toss settlements client behind a reader that fetches `concurrency` pages ahead, in order; `source`
 * is the same client, for the single pages a job asks for again to confirm a window's end.
 */
export function wireSettlementPageReader(
  config: Config,
  logger: Logger,
  concurrency: number,
): Wired<PrefetchingPageReader> & { readonly source: SettlementSource } {
  const client = new TossSettlementsClient({
    baseUrl: config.toss.baseUrl,
    secretKey: config.toss.secretKey,
    timeoutMs: config.toss.timeoutMs,
    maxRetries: config.toss.maxRetries,
    connections: concurrency,
    logger: logger.child({ component: 'toss' }),
  });
  return { value: new PrefetchingPageReader(client, concurrency), source: client, close: () => client.close() };
}

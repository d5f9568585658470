import type { PublishMeta } from '../../application/settlement/ports.js';
import type { EncodedPage } from './encoded-page.js';

/** What the producer thread needs to connect: plain data (workerData is structured-cloned, Secrets are not). */
export interface ProducerThreadSetup {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly ssl: boolean;
    readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string } | null;
  };
  readonly maxSendBytes?: number;
  readonly logLevel: string;
}

export type ToProducerThread =
  | { readonly kind: 'page'; readonly id: number; readonly topic: string; readonly meta: PublishMeta; readonly page: EncodedPage }
  | { readonly kind: 'records'; readonly id: number; readonly topic: string; readonly meta: PublishMeta; readonly records: ReadonlyArray<{ key: string | null; value: string }> }
  | { readonly kind: 'close' };

export type FromProducerThread =
  | { readonly kind: 'ready' }
  | { readonly kind: 'acked'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number | null; readonly code: string; readonly message: string; readonly retriable: boolean };

import { describe, expect, it } from 'vitest';
import { deadLetterHeaders, DLQ_HEADER, originalHeaders, readDeadLetterInfo } from '../../../src/infrastructure/kafka/dlq-headers.js';
import { parseDlqOffset } from '../../../src/presentation/cli/commands/dlq-command.js';

const letter = {
  topic: 'toss.settlements.v1',
  partition: 3,
  code: 'UNKNOWN_SCHEMA_ID',
  message: 'schema id 999 is unknown',
  record: { offset: 1234, timestamp: 1_739_000_000_123, key: Buffer.from('pk'), value: Buffer.from([0, 0, 0, 3, 231]), headers: { 'x-execution-id': 'e-1' } },
};

describe('dead-letter headers', () => {
  it('name the original position, reason and time, and read back', () => {
    const headers = deadLetterHeaders(letter, new Date('2025-03-01T00:00:00Z'));
    expect(headers[DLQ_HEADER.errorCode]).toBe('UNKNOWN_SCHEMA_ID');
    expect(readDeadLetterInfo(headers)).toEqual({
      originalTopic: 'toss.settlements.v1',
      originalPartition: 3,
      originalOffset: 1234,
      originalTimestamp: 1_739_000_000_123,
      errorCode: 'UNKNOWN_SCHEMA_ID',
      errorMessage: 'schema id 999 is unknown',
      deadLetteredAt: '2025-03-01T00:00:00.000Z',
    });
  });

  it('keep the original headers, which a redrive restores without ours', () => {
    const headers = deadLetterHeaders(letter, new Date());
    expect(originalHeaders(headers)).toEqual({ 'x-execution-id': 'e-1' });
  });

  it('are absent from records that did not come from the sink', () => {
    expect(readDeadLetterInfo({ other: 'x' })).toBeNull();
    expect(readDeadLetterInfo(undefined)).toBeNull();
  });
});

describe('parseDlqOffset', () => {
  it('reads O as partition 0 and P:O', () => {
    expect(parseDlqOffset('17')).toEqual({ partition: 0, offset: 17 });
    expect(parseDlqOffset('2:5')).toEqual({ partition: 2, offset: 5 });
  });

  it('refuses anything else with a usage error', () => {
    expect(() => parseDlqOffset('-1')).toThrow(expect.objectContaining({ code: 'DLQ_OFFSET_INVALID', category: 'usage' }));
  });
});

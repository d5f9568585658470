import { describe, expect, it } from 'vitest';
import { parseOffsetDateTime } from '../../../src/application/ingest/offset-date-time.js';

describe('parseOffsetDateTime', () => {
  it('agrees with Date.parse on every valid instant it is given', () => {
    const samples = [
      '2025-02-09T06:58:32+09:00',
      '1999-12-31T23:59:59.999Z',
      '2024-02-29T00:00:00-02:30',
      '2000-03-01T12:00:00.5+05:45',
      '1970-01-01T00:00:00Z',
      '2100-02-28T10:00:00+14:00',
      '1969-07-20T20:17:40-00:00',
    ];
    for (let i = 0; i < 500; i++) samples.push(new Date(Date.UTC(1990, 0, 1) + i * 86_399_123).toISOString().replace('Z', '+09:00'));
    for (const s of samples) expect(parseOffsetDateTime(s), s).toBe(Date.parse(s));
  });

  it('rejects dates Date.parse would roll over, and malformed text', () => {
    for (const s of [
      '2025-02-30T00:00:00+09:00',
      '2023-02-29T00:00:00+09:00',
      '2100-02-29T00:00:00Z',
      '2025-13-01T00:00:00+09:00',
      '2025-02-01T24:00:00+09:00',
      '2025-02-01 10:00:00',
      '2025-04-31T00:00:00Z',
      '2025-02-00T00:00:00Z',
      '2025-02-01T10:00:00',
      '2025-02-01T10:00:00.+09:00',
      '2025-02-01T10:00:00.1234567890Z',
      '2025-02-01T10:00:00+0900',
      '2025-02-01T10:00:00+09:00x',
      '2025-02-01T10:00:00Zx',
      '2025-02-01T1a:00:00Z',
      '+2025-02-01T10:00:00Z',
      '2025-02-01T10:00:00+19:00',
      '2025-02-01T10:00:60Z',
      '',
    ])
      expect(parseOffsetDateTime(s), s).toBeNull();
  });
});

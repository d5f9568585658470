import { describe, expect, it } from 'vitest';
import { isNewerRecord } from '../../../src/application/ingest/record-version.js';
import { RECORD_VERSION_CASES } from './record-version-cases.js';

describe('isNewerRecord', () => {
  for (const c of RECORD_VERSION_CASES)
    it(`${c.newer ? 'replaces' : 'keeps'} the stored row for ${c.name}`, () => {
      expect(isNewerRecord(c.incoming, c.stored)).toBe(c.newer);
    });

  it('is a strict order: of two different versions exactly one is newer', () => {
    for (const c of RECORD_VERSION_CASES) {
      if (c.stored.timestamp === c.incoming.timestamp && c.stored.offset === c.incoming.offset) continue;
      expect(isNewerRecord(c.incoming, c.stored)).not.toBe(isNewerRecord(c.stored, c.incoming));
    }
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { checkMySql } from '../../../src/infrastructure/health/mysql-check.js';
import * as serverFlavour from '../../../src/infrastructure/mysql/server-flavour.js';
import { createTempDatabase, type TempDatabase } from '../../support/producer-stack.js';

// The stack's MariaDB (10.11) is the tested server; what doctor says about another one is shown by answering the version
// query as that server would (everything else, migrations included, runs on the real database).
const answer = vi.hoisted(() => ({ version: '', comment: '' }));
vi.mock('../../../src/infrastructure/mysql/server-flavour.js', async (importOriginal) => {
  const original = await importOriginal<typeof serverFlavour>();
  return { ...original, readServerInfo: async () => original.serverInfo(answer.version, answer.comment) };
});

describe('settle doctor’s mysql check on a server the tests do not run on', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempDatabase('settle_it_untested');
  });
  afterAll(async () => {
    await db?.drop();
  });
  const check = () => checkMySql({ url: new Secret(db.url), displayUrl: db.url, tls: null } as Parameters<typeof checkMySql>[0]);

  it('MySQL 8.4 passes with a warning naming it as untested, and how to proceed', async () => {
    Object.assign(answer, { version: '8.4.3', comment: 'MySQL Community Server - GPL' });
    const r = await check();
    expect(r).toMatchObject({ ok: true, warning: true });
    expect(r.detail).toMatch(/schema current .*; untested server: MySQL 8\.4\.3 \(MySQL Community Server - GPL\); expected to work/);
    expect(r.fix).toMatch(/tests run on MariaDB 10\.11 only/);
  });

  it('an unsupported server (MariaDB 10.5) also warns, with the supported ones as the fix', async () => {
    Object.assign(answer, { version: '10.5.27-MariaDB', comment: '' });
    const r = await check();
    expect(r).toMatchObject({ ok: true, warning: true });
    expect(r.detail).toContain('untested server: MariaDB 10.5.27 is older than MariaDB 10.6 and not supported');
    expect(r.fix).toMatch(/use MariaDB 10\.11 \(tested\)/);
  });

  it('the tested MariaDB 10.11 passes without a warning', async () => {
    Object.assign(answer, { version: '10.11.19-MariaDB-0+deb12u1', comment: 'Debian 12' });
    const r = await check();
    expect(r).toMatchObject({ ok: true, fix: '' });
    expect(r.warning).toBeUndefined();
    expect(serverFlavour.serverInfo(answer.version).tested).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { readServerInfo, serverInfo } from '../../../src/infrastructure/mysql/server-flavour.js';
import { upsertFormFor } from '../../../src/infrastructure/mysql/settlement-upsert-sql.js';

describe('serverInfo', () => {
  it('the machine’s MariaDB 10.11 (as Debian builds it) is the tested server and keeps VALUES(col)', () => {
    const s = serverInfo('10.11.19-MariaDB-0+deb12u1', 'Debian 12');
    expect(s).toMatchObject({ flavour: 'mariadb', version: '10.11.19', tested: true, supported: true, rowAlias: false });
    expect(s.note).toBe('MariaDB 10.11.19 (Debian 12): the server the tests run on');
    expect(upsertFormFor(s)).toBe('values-function');
  });

  it('drops the replication prefix old clients see and reads a bare MariaDB version', () => {
    expect(serverInfo('5.5.5-10.11.6-MariaDB')).toMatchObject({ flavour: 'mariadb', version: '10.11.6', tested: true });
    expect(serverInfo('10.11.6-MariaDB-log', 'mariadb.org binary distribution')).toMatchObject({ flavour: 'mariadb', tested: true });
  });

  it('other MariaDB ≥ 10.6 is untested but expected to work; older MariaDB is unsupported', () => {
    for (const v of ['10.6.21-MariaDB', '11.4.5-MariaDB-ubu2404', '11.8.2-MariaDB']) {
      const s = serverInfo(v);
      expect(s, v).toMatchObject({ flavour: 'mariadb', tested: false, supported: true, rowAlias: false });
      expect(s.note, v).toMatch(/^untested server: MariaDB \d+\.\d+\.\d+; expected to work/);
    }
    expect(serverInfo('10.5.27-MariaDB').supported).toBe(false);
    expect(serverInfo('10.5.27-MariaDB').note).toMatch(/^untested server: MariaDB 10\.5\.27 is older than MariaDB 10\.6 and not supported/);
  });

  it('MySQL ≥ 8.0.19 is untested, expected to work, and gets the row-alias upsert', () => {
    for (const [v, comment] of [
      ['8.4.3', 'MySQL Community Server - GPL'],
      ['8.0.19', ''],
      ['9.1.0', 'MySQL Community Server - GPL'],
      ['8.0.36-28', 'Percona Server (GPL), Release 28, Revision 47601f19'],
    ]) {
      const s = serverInfo(v as string, comment);
      expect(s, v).toMatchObject({ flavour: 'mysql', tested: false, supported: true, rowAlias: true });
      expect(s.note, v).toMatch(/^untested server: MySQL .*expected to work \(the upsert uses MySQL's row-alias form\)/);
      expect(upsertFormFor(s)).toBe('row-alias');
    }
    expect(serverInfo('8.4.3', 'MySQL Community Server - GPL').note).toContain('MySQL 8.4.3 (MySQL Community Server - GPL)');
  });

  it('MySQL before 8.0.19, an unreadable patch level or version never get the row alias', () => {
    expect(serverInfo('8.0.18')).toMatchObject({ flavour: 'mysql', rowAlias: false, tested: false, supported: false });
    expect(serverInfo('8.0.18').note).toMatch(/before 8\.0\.19 is not supported/);
    expect(serverInfo('5.7.44-log').note).toMatch(/older than MySQL 8\.0 and not supported/);
    const aurora = serverInfo('8.0.mysql_aurora.3.05.2', 'Source distribution');
    expect(aurora).toMatchObject({ flavour: 'mysql', version: '8.0', rowAlias: false, tested: false });
    expect(aurora.note).toMatch(/keeps VALUES\(col\)/);
    const odd = serverInfo('nightly', '');
    expect(odd).toMatchObject({ flavour: 'mysql', version: 'nightly', rowAlias: false, tested: false });
    expect(odd.note).toMatch(/^untested server: cannot read a version number from "nightly"/);
  });
});

describe('readServerInfo', () => {
  it('reads VERSION() and @@version_comment in one query', async () => {
    const asked: string[] = [];
    const db = { query: async (sql: string) => (asked.push(sql), [[{ version: '8.4.3', comment: 'MySQL Community Server - GPL' }], []]) };
    expect(await readServerInfo(db)).toMatchObject({ flavour: 'mysql', version: '8.4.3', rowAlias: true });
    expect(asked).toEqual(['SELECT VERSION() AS version, @@version_comment AS comment']);
  });
});

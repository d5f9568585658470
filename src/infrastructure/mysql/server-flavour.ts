/**
 * Which server settle talks to, from `SELECT VERSION(), @@version_comment`. The tests run on MariaDB 10.11 only;
 * everything else is reported as untested by `settle doctor`, and MySQL ≥ 8.0.19 gets the upsert's row-alias form
 * (settlement-upsert-sql.ts) because it deprecates `VALUES(col)` in ON DUPLICATE KEY UPDATE.
 */
export type ServerFlavour = 'mariadb' | 'mysql';

export interface ServerInfo {
  readonly flavour: ServerFlavour;
  /** `major.minor.patch` as the server reports it, without the distribution suffix (`-MariaDB-0+deb12u1`). */
  readonly version: string;
  /** The server line the tests run on (MariaDB 10.11). */
  readonly tested: boolean;
  /** Tested, or expected to work (MariaDB ≥ 10.6, MySQL ≥ 8.0.19); false for older servers and unreadable versions. */
  readonly supported: boolean;
  /** `INSERT … VALUES … AS alias` is understood (MySQL ≥ 8.0.19; MariaDB has no such syntax). */
  readonly rowAlias: boolean;
  /** One line for people: tested, expected to work and why, or unsupported. */
  readonly note: string;
}

export const TESTED_SERVER = 'MariaDB 10.11';

/** The query whose two columns `serverInfo` reads. */
export const SERVER_VERSION_SQL = 'SELECT VERSION() AS version, @@version_comment AS comment';

/**
 * Parses a server's `VERSION()` (and `@@version_comment`, which names Percona or a cloud build). MariaDB says so in
 * its version (`10.11.19-MariaDB-0+deb12u1`; an old replication prefix `5.5.5-` is dropped); anything else speaking
 * the protocol is taken as MySQL. A version whose number cannot be read is reported, never guessed upward: it
 * keeps the `VALUES(col)` form, which every MySQL 8 and MariaDB accepts.
 */
export function serverInfo(versionText: string, versionComment = ''): ServerInfo {
  const raw = versionText.trim().replace(/^5\.5\.5-/, '');
  const flavour: ServerFlavour = /mariadb/i.test(`${raw} ${versionComment}`) ? 'mariadb' : 'mysql';
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw);
  const name = flavour === 'mariadb' ? 'MariaDB' : 'MySQL';
  const build = versionComment.trim() ? ` (${versionComment.trim()})` : '';
  if (!m)
    return standing(flavour, raw, 'unsupported', `untested server: cannot read a version number from "${raw}"${build}; the tests run on ${TESTED_SERVER}`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), m[3] === undefined ? null : Number(m[3])];
  const version = patch === null ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
  const at = (a: number, b: number, c = 0) => major > a || (major === a && (minor > b || (minor === b && (patch ?? -1) >= c)));
  const label = `${name} ${version}${build}`;
  const is = (s: Standing, note: string, rowAlias = false) => standing(flavour, version, s, note, rowAlias);
  if (flavour === 'mariadb') {
    if (major === 10 && minor === 11) return is('tested', `${label}: the server the tests run on`);
    if (at(10, 6)) return is('expected', `untested server: ${label}; expected to work (same SQL as the tested ${TESTED_SERVER}), not run in the tests`);
    return is('unsupported', `untested server: ${label} is older than MariaDB 10.6 and not supported; the tests run on ${TESTED_SERVER}`);
  }
  if (at(8, 0, 19))
    return is(
      'expected',
      `untested server: ${label}; expected to work (the upsert uses MySQL's row-alias form), not run in the tests, which use ${TESTED_SERVER}`,
      true,
    );
  if (major === 8 && minor === 0 && patch === null)
    return is(
      'unsupported',
      `untested server: ${label}; no patch level to tell whether it has 8.0.19's row alias, so the upsert keeps VALUES(col) (deprecated since 8.0.20, still accepted)`,
    );
  if (major === 8) return is('unsupported', `untested server: ${label}; MySQL 8.0 before 8.0.19 is not supported (use 8.0.19 or later, or ${TESTED_SERVER})`);
  return is('unsupported', `untested server: ${label} is older than MySQL 8.0 and not supported; the tests run on ${TESTED_SERVER}`);
}

/** Where a server stands: the line the tests run on, untested but expected to work, or not supported. */
type Standing = 'tested' | 'expected' | 'unsupported';

function standing(flavour: ServerFlavour, version: string, s: Standing, note: string, rowAlias = false): ServerInfo {
  return { flavour, version, tested: s === 'tested', supported: s !== 'unsupported', rowAlias, note };
}

interface Queryable {
  query(sql: string): Promise<unknown>;
}

/** Asks a connection or pool which server it is (one round trip). */
export async function readServerInfo(db: Queryable): Promise<ServerInfo> {
  const [rows] = (await db.query(SERVER_VERSION_SQL)) as [Array<{ version?: unknown; comment?: unknown }>];
  return serverInfo(String(rows[0]?.version ?? ''), String(rows[0]?.comment ?? ''));
}

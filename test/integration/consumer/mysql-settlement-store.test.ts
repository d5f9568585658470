import mysql, { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreBatch } from '../../../src/application/ingest/ports.js';
import { parseOffsetDateTime } from '../../../src/application/ingest/offset-date-time.js';
import { SettlementSerde } from '../../../src/infrastructure/kafka/settlement-serde.js';
import { MySqlSettlementStore } from '../../../src/infrastructure/mysql/mysql-settlement-store.js';
import { SettlementAvroRows } from '../../../src/infrastructure/mysql/settlement-avro-rows.js';
import { escapeTsvText, LOAD_LINE_COLUMNS, LOAD_SETTLEMENTS_SQL } from '../../../src/infrastructure/mysql/settlement-load-data.js';
import { ALL_COLUMNS, toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { createSettlementStorePool } from '../../../src/infrastructure/mysql/settlement-store-pool.js';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { readSettlementSchema } from '../../../src/infrastructure/kafka/settlement-schema-file.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { RECORD_VERSION_CASES } from '../../unit/ingest/record-version-cases.js';
import { ConsumerFixture } from './consumer-fixture.js';

/** The writing statements the store sends (their first two words), recorded on the pool's connections. */
function recordStatements(pool: Pool, seen: string[]): void {
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = async () => {
    const conn = await getConnection();
    return new Proxy(conn, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (prop !== 'query' || typeof value !== 'function') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        return (sql: string | { sql: string }, ...rest: unknown[]) => {
          const text = typeof sql === 'string' ? sql : sql.sql;
          if (/^(LOAD|INSERT) /.test(text)) seen.push(text.split(' ').slice(0, 2).join(' '));
          return (value as (...a: unknown[]) => unknown).apply(target, [sql, ...rest]);
        };
      },
    }) as PoolConnection;
  };
}

const serde = SettlementSerde.withSchemaId(7);

// every case runs on each way of writing a batch: LOAD DATA with the upsert for stored keys (the default), the same
// with each line written straight from the record's Avro bytes (the consumer's fast path: records carry their
// Confluent-framed value, as the decoder marks them), and the upsert alone
describe.each([
  { method: 'LOAD DATA', loadData: true, fromBytes: false, opening: 'LOAD DATA' },
  { method: "LOAD DATA, lines from the records' Avro bytes", loadData: true, fromBytes: true, opening: 'LOAD DATA' },
  { method: 'the upsert alone', loadData: false, fromBytes: false, opening: 'INSERT INTO' },
])('MySqlSettlementStore on MariaDB, rows by $method', ({ loadData, fromBytes, opening }) => {
  let fx: ConsumerFixture;
  let store: MySqlSettlementStore;
  let pool: ReturnType<typeof createSettlementStorePool>;
  const statements: string[] = [];
  beforeAll(async () => {
    fx = await ConsumerFixture.create(fromBytes ? 'store_bytes' : loadData ? 'store_load' : 'store_upsert', 1);
    pool = createSettlementStorePool({ url: new Secret(fx.env.MYSQL_URL ?? ''), tls: null }, 3);
    recordStatements(pool, statements);
    const real = SettlementAvroRows.forSchema(readSettlementSchema());
    const counting = real && {
      write: (...args: Parameters<SettlementAvroRows['write']>) => {
        const wrote = real.write(...args);
        if (wrote) linesFromBytes += 1;
        return wrote;
      },
    };
    // several upsert statements per batch
    store = new MySqlSettlementStore(pool, { rowsPerStatement: 7, loadData, ...(fromBytes ? { rowsFromBytes: counting } : {}) });
  });
  afterAll(async () => {
    await pool.end();
    await fx.close();
  });

  let linesFromBytes = 0;
  /** With fromBytes, each record also carries its Avro value (when the schema can encode it) and its parsed approvedAt. */
  const withBytes = (records: StoreBatch['records']): StoreBatch['records'] =>
    records.map((r) => {
      let value: Buffer;
      try {
        value = serde.encodeBatch([r.settlement])[0] as Buffer;
        if (!Buffer.isBuffer(value)) return r;
      } catch {
        return r;
      }
      return { ...r, value, approvedAtMs: parseOffsetDateTime(r.settlement.approvedAt) ?? 0 };
    });
  const batch = (records: StoreBatch['records'], nextOffset: number, partition = 0): StoreBatch => ({
    group: 'g',
    topic: 't',
    partition,
    records: fromBytes ? withBytes(records) : records,
    nextOffset,
  });
  const amountOf = async (key: string) => {
    const [rows] = await fx.db.query<RowDataPacket[]>('SELECT amount, source_offset, source_timestamp FROM settlements WHERE transaction_key = ?', [key]);
    return rows[0];
  };

  it('counts inserted, updated and unchanged exactly across several statements and a single-row one', async () => {
    const first = Array.from({ length: 20 }, (_, i) => ({ settlement: syntheticSettlement(i, 'cnt'), offset: i, timestamp: 1_000 }));
    statements.length = 0;
    expect(await store.applyBatch(batch(first, 20))).toEqual({ inserted: 20, updated: 0, unchanged: 0 });
    // a batch of new keys: one LOAD DATA, or three upserts of at most 7 rows; then the offset
    expect(statements).toEqual(loadData ? ['LOAD DATA', 'INSERT INTO'] : ['INSERT INTO', 'INSERT INTO', 'INSERT INTO', 'INSERT INTO']);
    expect(statements[0]).toBe(opening);
    const second = [
      ...first.slice(0, 10), // redelivered: unchanged
      ...first.slice(10, 15).map((r) => ({ ...r, offset: r.offset + 100, timestamp: 2_000 })), // newer: updated
      ...Array.from({ length: 6 }, (_, i) => ({ settlement: syntheticSettlement(100 + i, 'cnt'), offset: 200 + i, timestamp: 2_000 })), // new
    ];
    statements.length = 0;
    expect(await store.applyBatch(batch(second, 206))).toEqual({ inserted: 6, updated: 5, unchanged: 10 });
    // stored keys in the batch: the load skips them and the upsert of the batch (21 rows: 3 statements) decides them
    expect(statements).toEqual(
      loadData ? ['LOAD DATA', 'INSERT INTO', 'INSERT INTO', 'INSERT INTO', 'INSERT INTO'] : ['INSERT INTO', 'INSERT INTO', 'INSERT INTO', 'INSERT INTO'],
    );
    expect(await store.applyBatch(batch([{ settlement: syntheticSettlement(500, 'cnt'), offset: 300, timestamp: 3_000 }], 301))).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(await store.applyBatch(batch([{ settlement: syntheticSettlement(500, 'cnt'), offset: 300, timestamp: 3_000 }], 301))).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 1,
    });
    expect(await store.storedOffsets('g', 't')).toEqual(new Map([[0, 301]]));
    // the fast path wrote the lines it was given bytes for (each of the 20 + 6 + 1 + 1 new or loaded rows at least once)
    if (fromBytes) expect(linesFromBytes).toBeGreaterThanOrEqual(20 + 21 + 1 + 1);
    else expect(linesFromBytes).toBe(0);
  });

  for (const [i, c] of RECORD_VERSION_CASES.entries())
    it(`applies the newer-record rule in SQL like the rule's definition: ${c.name}`, async () => {
      const key = syntheticSettlement(1_000 + i, 'ver').transactionKey;
      await store.applyBatch(batch([{ settlement: syntheticSettlement(1_000 + i, 'ver', 0), ...c.stored }], 1, 5));
      const result = await store.applyBatch(batch([{ settlement: syntheticSettlement(1_000 + i, 'ver', 7), ...c.incoming }], 1, 5));
      const winner = c.newer ? c.incoming : c.stored;
      expect(result).toEqual({ inserted: 0, updated: c.newer ? 1 : 0, unchanged: c.newer ? 0 : 1 });
      expect(await amountOf(key)).toEqual({
        amount: syntheticSettlement(1_000 + i, 'ver', c.newer ? 7 : 0).amount,
        source_offset: winner.offset,
        source_timestamp: winner.timestamp,
      });
    });

  it('applies two versions of one key inside one batch in log order', async () => {
    const v = (version: number, offset: number) => ({ settlement: syntheticSettlement(2_000, 'dup', version), offset, timestamp: 5_000 });
    expect(await store.applyBatch(batch([v(1, 10), v(2, 11)], 12, 6))).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
    expect((await amountOf(syntheticSettlement(2_000, 'dup').transactionKey))?.amount).toBe(syntheticSettlement(2_000, 'dup', 2).amount);
  });

  it('never moves a stored offset back (a stale writer after a rebalance)', async () => {
    await store.applyBatch(batch([], 50, 7));
    await store.applyBatch(batch([], 40, 7));
    expect((await store.storedOffsets('g', 't')).get(7)).toBe(50);
  });

  it('rolls back every statement and the offset when one statement of the batch fails', async () => {
    const good = Array.from({ length: 10 }, (_, i) => ({ settlement: syntheticSettlement(3_000 + i, 'rb'), offset: i, timestamp: 1 }));
    const bad = { settlement: { ...syntheticSettlement(3_999, 'rb'), method: 'x'.repeat(40) }, offset: 11, timestamp: 1 }; // too long for VARCHAR(20)
    await expect(store.applyBatch(batch([...good, bad], 12, 8))).rejects.toMatchObject({
      code: 'MYSQL_QUERY_FAILED',
      details: { mysqlCode: 'ER_DATA_TOO_LONG' },
    });
    const [rows] = await fx.db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM settlements WHERE transaction_key LIKE 'rb%'");
    expect(Number(rows[0]?.n)).toBe(0);
    expect((await store.storedOffsets('g', 't')).has(8)).toBe(false);
  });

  it('stores text with quotes, backslashes, control characters and Korean exactly as given', async () => {
    const base = syntheticSettlement(5_000, 'esc');
    const s = { ...base, orderId: 'O-Brien_x1', method: `카'드\\"`, card: { ...base.card, company: `현대 "카드" \\ ' \n\t\u0000 끝` } };
    await store.applyBatch(batch([{ settlement: s, offset: 1, timestamp: 1 }], 2, 10));
    const [rows] = await fx.db.query<RowDataPacket[]>('SELECT method, details FROM settlements WHERE transaction_key = ?', [s.transactionKey]);
    expect(rows[0]?.method).toBe(s.method);
    expect(JSON.parse(String(rows[0]?.details)).card.company).toBe(s.card.company);
  });

  it('round-trips every character the statement escapes, and text that looks like NULL, in a multi-row statement', async () => {
    const tricky = ['\\N', 'NULL', '\r\n', '\x1a\b', '\\', `'`, '\t', '\0', '', '😀 한글'];
    const records = tricky.map((t, i) => {
      const base = syntheticSettlement(6_000 + i, 'esc2');
      return { settlement: { ...base, paymentKey: `pk-${t}-${i}`, card: { ...base.card, company: t } }, offset: i, timestamp: 1 };
    });
    expect(await store.applyBatch(batch(records, tricky.length, 11))).toEqual({ inserted: tricky.length, updated: 0, unchanged: 0 });
    const [rows] = await fx.db.query<RowDataPacket[]>(
      "SELECT payment_key, details FROM settlements WHERE transaction_key LIKE 'esc2%' ORDER BY transaction_key",
    );
    expect(rows.map((r) => r.payment_key)).toEqual(records.map((r) => r.settlement.paymentKey));
    expect(rows.map((r) => JSON.parse(String(r.details)).card.company)).toEqual(tricky);
  });

  /**
   * MariaDB 10.11 hands out, now and then, an auto-increment id already in use while partitions' batches run at once
   * (the stress in settlement-id-collision.test.ts); ON DUPLICATE KEY UPDATE then collides on the primary key and would
   * update THAT row. `SET insert_id` on the store's only connection forces the same collision: A is stored, then the
   * writing statement named by `before` gives its first row (C, a new key) A's id.
   */
  const collisionCase = async (tag: string, before: 'LOAD' | 'INSERT') => {
    const one = createSettlementStorePool({ url: new Secret(fx.env.MYSQL_URL ?? ''), tls: null }, 1);
    const forced = new MySqlSettlementStore(one, { loadData, ...(fromBytes ? { rowsFromBytes: SettlementAvroRows.forSchema(readSettlementSchema()) } : {}) });
    // one sold date (i % 28), keys in the order C < B < A
    const [c, b, a] = [5_000, 5_028, 5_056].map((i) => syntheticSettlement(i, tag));
    if (!a || !b || !c) throw new Error('three settlements');
    await forced.applyBatch(
      batch(
        [
          { settlement: a, offset: 1, timestamp: 1_000 },
          { settlement: b, offset: 2, timestamp: 1_000 },
        ],
        3,
        10,
      ),
    );
    const [[stored]] = await fx.db.query<RowDataPacket[]>('SELECT id FROM settlements WHERE transaction_key = ?', [a.transactionKey]);
    let armed = true;
    const getConnection = one.getConnection.bind(one);
    one.getConnection = async () => {
      const conn = await getConnection();
      const query = conn.query.bind(conn) as (...args: unknown[]) => Promise<unknown>;
      conn.query = (async (...args: unknown[]) => {
        const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { sql: string }).sql;
        if (armed && sql.startsWith(before)) {
          armed = false;
          await query(`SET insert_id = ${Number(stored?.id)}`);
        }
        return query(...args);
      }) as typeof conn.query;
      return conn;
    };
    const replay = batch(
      [
        { settlement: c, offset: 3, timestamp: 2_000 },
        { settlement: syntheticSettlement(5_028, tag, 7), offset: 4, timestamp: 2_000 },
      ],
      5,
      10,
    );
    return { forced, one, replay, a, b, c };
  };
  const moneyOf = async (key: string) => (await amountOf(key))?.amount as number | undefined;

  it("never writes a settlement over another transaction's row when the upsert is handed an id in use: it fails (retriable), and the retry stores every row", async () => {
    const { forced, one, replay, a, b, c } = await collisionCase(`idu${loadData ? 'l' : 'u'}${fromBytes ? 'b' : ''}`, 'INSERT');
    try {
      await expect(forced.applyBatch(replay)).rejects.toMatchObject({ code: 'MYSQL_ROW_ID_COLLISION', retriable: true });
      expect(await moneyOf(a.transactionKey)).toBe(a.amount); // A kept, not C's row
      expect(await moneyOf(c.transactionKey)).toBeUndefined(); // the batch rolled back
      expect((await forced.storedOffsets('g', 't')).get(10)).toBe(3);
      expect(await forced.applyBatch(replay)).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
      expect(await moneyOf(a.transactionKey)).toBe(a.amount);
      expect(await moneyOf(b.transactionKey)).toBe(syntheticSettlement(5_028, 'x', 7).amount);
      expect(await moneyOf(c.transactionKey)).toBe(c.amount);
      const [[t]] = await fx.db.query<RowDataPacket[]>(
        "SELECT (SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'settlements') > (SELECT MAX(id) FROM settlements) AS ahead",
      );
      expect(Number(t?.ahead)).toBe(1);
    } finally {
      await one.end();
    }
  });

  if (!loadData)
    it("the AUTO_INCREMENT repair waits for the table's lock only a few seconds: a transaction holding it does not stall the store", async () => {
      const { forced, one, replay, a } = await collisionCase('idw', 'INSERT');
      const holder = await mysql.createConnection({ uri: fx.env.MYSQL_URL ?? '' });
      try {
        await holder.query('START TRANSACTION');
        await holder.query('SELECT COUNT(*) FROM settlements'); // the table's metadata lock, held until the transaction ends
        await expect(forced.applyBatch(replay)).rejects.toMatchObject({ code: 'MYSQL_ROW_ID_COLLISION' });
        // the ALTER gave up on the lock (with the server's lock_wait_timeout it would still be waiting, every later
        // statement on the table queued behind it), and the holder's transaction goes on
        const [waiting] = await holder.query<RowDataPacket[]>(
          "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ALTER TABLE settlements%' AND DB = DATABASE()",
        );
        expect(waiting).toEqual([]);
        const [[n]] = await holder.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM settlements WHERE transaction_key = ?', [a.transactionKey]);
        expect(Number(n?.n)).toBe(1);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
        await one.end();
      }
    });

  if (loadData)
    it('a new row LOAD DATA IGNORE skipped for an id in use (not a stored key) is inserted by the upsert after it, and counted as inserted', async () => {
      const { forced, one, replay, a, b, c } = await collisionCase(`idl${fromBytes ? 'b' : ''}`, 'LOAD');
      try {
        expect(await forced.applyBatch(replay)).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
        expect(await moneyOf(a.transactionKey)).toBe(a.amount);
        expect(await moneyOf(b.transactionKey)).toBe(syntheticSettlement(5_028, 'x', 7).amount);
        expect(await moneyOf(c.transactionKey)).toBe(c.amount);
      } finally {
        await one.end();
      }
    });

  it('stores approved_at_utc in UTC and details as the JSON of the nested objects', async () => {
    const s = syntheticSettlement(4_009, 'utc'); // a cancel row
    await store.applyBatch(batch([{ settlement: s, offset: 1, timestamp: 1 }], 2, 9));
    const [rows] = await fx.db.query<RowDataPacket[]>(
      'SELECT approved_at, approved_at_utc, canceled_at, cancel_amount, details, source_topic, source_partition, source_offset, source_timestamp FROM settlements WHERE transaction_key = ?',
      [s.transactionKey],
    );
    const expectedUtc = new Date(Date.parse(s.approvedAt)).toISOString().replace('T', ' ').replace('Z', '');
    expect(rows[0]).toMatchObject({
      approved_at: s.approvedAt,
      approved_at_utc: expectedUtc,
      canceled_at: s.cancel?.canceledAt,
      cancel_amount: s.cancel?.cancelAmount,
      // the record's place in the log: topic and partition are the batch's (LOAD DATA sets them once per statement)
      source_topic: 't',
      source_partition: 9,
      source_offset: 1,
      source_timestamp: 1,
    });
    expect(JSON.parse(String(rows[0]?.details)).cancel).toEqual(s.cancel);
  });
});

describe("LOAD_SETTLEMENTS_SQL's text on MariaDB (CHARACTER SET binary: fields split by byte, columns still utf8mb4)", () => {
  let fx: ConsumerFixture;
  beforeAll(async () => {
    fx = await ConsumerFixture.create('store_charset', 1);
  });
  afterAll(async () => {
    await fx.close();
  });

  /** One LOAD DATA line of `text` as method and `details` of an otherwise valid row; the stored method and the warnings. */
  const load = async (key: string, method: Buffer, details: Buffer) => {
    const row = toSettlementRow(syntheticSettlement(7_000, key), { topic: 't', partition: 0, offset: 1, timestamp: 1 });
    const fields = LOAD_LINE_COLUMNS.map((c) => {
      const v = row[ALL_COLUMNS.indexOf(c)] ?? null;
      if (c === 'method') return method;
      if (c === 'details') return details;
      return Buffer.from(v === null ? '\\N' : escapeTsvText(String(v)));
    });
    const line = Buffer.concat([...fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from('\t'), f])), Buffer.from('\n')]);
    await fx.db.query('BEGIN');
    const [result] = await fx.db.query<ResultSetHeader>({ sql: LOAD_SETTLEMENTS_SQL, values: ['t', 0], infileStreamFactory: () => Readable.from([line]) });
    const [warnings] = await fx.db.query<RowDataPacket[]>('SHOW WARNINGS');
    const [rows] = await fx.db.query<RowDataPacket[]>('SELECT method, details FROM settlements WHERE transaction_key = ?', [
      row[ALL_COLUMNS.indexOf('transaction_key')],
    ]);
    await fx.db.query('ROLLBACK');
    return { affected: result.affectedRows, warnings: warnings.map((w) => String(w.Message)), stored: rows[0] };
  };

  it('stores Korean, emoji and escaped text exactly as sent', async () => {
    const r = await load('csok', Buffer.from('카드 😀 \\t\\\\'), Buffer.from('{"card":{"company":"현대"}}'));
    expect(r).toMatchObject({ affected: 1, warnings: [] });
    expect(r.stored?.method).toBe('카드 😀 \t\\');
    expect(JSON.parse(String(r.stored?.details))).toEqual({ card: { company: '현대' } });
  });

  it('still checks the bytes are UTF-8: a malformed sequence is a warning (the store rolls back on it), never stored as sent', async () => {
    for (const bad of [Buffer.from([0x41, 0xff, 0x42]), Buffer.from([0x41, 0xed, 0x95])]) {
      const r = await load('csbad', bad, Buffer.from('{}'));
      expect(r.warnings.join(' ')).toMatch(/Incorrect string value/);
      expect(Buffer.from(String(r.stored?.method ?? ''))).not.toEqual(bad);
    }
  });
});

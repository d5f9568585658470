import { randomBytes } from 'node:crypto';
import mysql, { type Pool } from 'mysql2/promise';
import { Secret } from '../../../src/infrastructure/config/secret.js';
import { createLogger } from '../../../src/infrastructure/logging/logger.js';
import { migrate } from '../../../src/infrastructure/mysql/migrator.js';
import { createMySqlConnection, createMySqlPool } from '../../../src/infrastructure/mysql/mysql-pool.js';

const BASE_MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle';

/** A private database for one test file: settle_it_<name>_<random>, migrated with the real migrator, dropped at the end. */
export class OrderTestDb {
  private constructor(
    readonly name: string,
    readonly url: string,
    readonly pool: Pool,
  ) {}

  static async create(name: string): Promise<OrderTestDb> {
    const db = `settle_it_${name}_${randomBytes(4).toString('hex')}`;
    const url = new URL(BASE_MYSQL_URL);
    url.pathname = `/${db}`;
    const root = await mysql.createConnection({ uri: BASE_MYSQL_URL });
    await root.query(`CREATE DATABASE \`${db}\``);
    await root.end();
    const conn = await createMySqlConnection({ url: new Secret(url.toString()), tls: null }, { multipleStatements: true });
    await migrate(conn, createLogger('silent', { pretty: false }));
    await conn.end();
    return new OrderTestDb(db, url.toString(), createMySqlPool({ url: new Secret(url.toString()), tls: null }, 4));
  }

  /** A settlements row as the consumer would load it (only the columns the order link reads matter). */
  async insertSettlement(row: {
    paymentKey: string;
    transactionKey: string;
    orderId: string;
    amount: number;
    soldDate: string;
    paidOutDate: string;
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO settlements (transaction_key, payment_key, order_id, m_id, method, currency, amount, interest_fee, fee, supply_amount, vat, pay_out_amount,
         approved_at, approved_at_utc, sold_date, paid_out_date, details, source_topic, source_partition, source_offset, source_timestamp)
       VALUES (?, ?, ?, 'tosspayments', '카드', 'KRW', ?, 0, 0, 0, 0, ?, '2025-02-09T06:58:32+09:00', '2025-02-08 21:58:32.000', ?, ?, '{}', 'it', 0, 0, 0)`,
      [row.transactionKey, row.paymentKey, row.orderId, row.amount, row.amount, row.soldDate, row.paidOutDate],
    );
  }

  async drop(): Promise<void> {
    await this.pool.end();
    const root = await mysql.createConnection({ uri: BASE_MYSQL_URL });
    await root.query(`DROP DATABASE IF EXISTS \`${this.name}\``);
    await root.end();
  }
}

import type { Pool } from 'mysql2/promise';
import type { OrderStore, OrderTransaction } from '../../application/order/order-store.js';
import { isSettleError } from '../../domain/shared/settle-error.js';
import { toSettleError, translateMySqlError } from './mysql-errors.js';
import { MySqlOrderTransaction } from './mysql-order-transaction.js';

/**
 * OrderStore on MySQL/MariaDB. Each transaction runs at READ COMMITTED on one pooled connection: the order row
 * is locked (FOR UPDATE) before its lines are read, so every read after the lock sees the latest commit — under
 * REPEATABLE READ a snapshot taken by an earlier read in the same transaction could hide a concurrent change.
 */
export class MySqlOrderStore implements OrderStore {
  constructor(private readonly pool: Pool) {}

  async transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection().catch(translateMySqlError);
    try {
      await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.beginTransaction();
      const result = await work(new MySqlOrderTransaction(conn));
      await conn.commit();
      return result;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      // our own errors (rules, not found) pass through; driver errors become ours
      throw isSettleError(error) || !isDriverError(error) ? error : toSettleError(error);
    } finally {
      conn.release();
    }
  }
}

const isDriverError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && ('sqlMessage' in error || 'errno' in error || 'code' in error);

import { isSettleError, type SettleError } from '../../src/domain/shared/settle-error.js';

/** The SettleError `run` rejects with; throws when it resolves or rejects with anything else. */
export async function failure(run: Promise<unknown>): Promise<SettleError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isSettleError(error)) throw new Error(`expected a SettleError, got ${error instanceof Error ? String(error) : JSON.stringify(error)}`);
  return error;
}

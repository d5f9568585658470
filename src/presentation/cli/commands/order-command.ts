import type { Command } from 'commander';
import type { OrderCommandResult, OrderView } from '../../../application/order/order-view.js';
import type { ConfigSection } from '../../../infrastructure/config/config.js';
import type { CliContext } from '../cli-context.js';
import { usage } from '../flag-parsers.js';
import { globalOverrides } from '../global-options.js';
import type { OrderUseCases } from '../../../composition/orders.js';
import { formatOrder, formatResult } from './order-output.js';

const DEFAULT_CANCEL_REASON = 'customer request';
const ORDER_ID = { orderId: '<orderId>' };

interface Common {
  readonly file?: string;
  readonly json?: boolean;
}

/**
 * `settle order place | pay | cancel | restock | confirm-purchase | show`. A cancel is three steps, as the rules
 * demand: `cancel --items` (request), `restock`, then `cancel --refund` (the Toss payment cancel).
 */
export function registerOrderCommand(program: Command, ctx: CliContext): void {
  const order = program.command('order').description('orders and their card payments through Toss: place, pay, cancel, restock, confirm purchase, show');

  // loaded on use: the inputs' schemas (zod), MySQL and the Toss client stay out of every other command's memory
  const inputs = () => import('./order-input.js');
  const run = async (
    cmd: Command,
    sections: readonly ConfigSection[],
    json: boolean | undefined,
    work: (u: OrderUseCases) => Promise<OrderCommandResult | OrderView>,
  ) => {
    const config = ctx.config(sections, globalOverrides(cmd));
    const { wireOrders } = await import('../../../composition/orders.js');
    const wired = await wireOrders(config, ctx.logger(), { signal: ctx.signal });
    try {
      const result = await work(wired.useCases);
      if (json) ctx.out(JSON.stringify(result));
      else for (const line of 'order' in result ? formatResult(result) : formatOrder(result)) ctx.out(line);
    } finally {
      await wired.close();
    }
  };

  order
    .command('place')
    .description('place an order: one line per product, with its unit price (KRW) and quantity')
    .option('--order-id <id>', 'the order id (also Toss orderId, 6-64 of A-Z a-z 0-9 _ -); generated when absent')
    .option('--item <productId:unitPrice:quantity>', 'one line, e.g. sku-1:15000:2; repeat for more products', (v: string, all: string[]) => [...all, v], [])
    .option('--file <json>', 'read {"orderId"?, "items": [{"productId", "unitPrice", "quantity"}]} instead of flags')
    .option('--json', 'print the order as JSON')
    .action(async (opts: Common & { orderId?: string; item: string[] }, cmd: Command) => {
      const { parseItemFlag, placeInput, readInput } = await inputs();
      const items = opts.item.length > 0 ? opts.item.map(parseItemFlag) : undefined;
      const input = await readInput(placeInput, {
        flags: { orderId: opts.orderId, items },
        flagNames: { orderId: '--order-id', items: '--item' },
        ...file(opts),
      });
      await run(cmd, ['mysql'], opts.json, (u) => u.place.execute({ items: input.items, ...(input.orderId ? { orderId: input.orderId } : {}) }));
    });

  order
    .command('pay')
    .description("confirm the order's card payment at Toss (exactly its total; safe to re-run: the same Idempotency-Key is sent)")
    .argument('[orderId]', 'the order to pay (or "orderId" in --file)')
    .option('--payment-key <key>', "Toss's paymentKey from the checkout's success redirect")
    .option('--amount <krw>', 'the amount the customer authorised: must equal the order total')
    .option('--file <json>', 'read {"orderId", "paymentKey", "amount"} instead of flags')
    .option('--json', 'print the order as JSON')
    .action(async (orderId: string | undefined, opts: Common & { paymentKey?: string; amount?: string }, cmd: Command) => {
      const { payInput, readInput } = await inputs();
      const input = await readInput(payInput, {
        flags: { orderId, paymentKey: opts.paymentKey, amount: opts.amount },
        flagNames: { ...ORDER_ID, paymentKey: '--payment-key', amount: '--amount' },
        ...file(opts),
      });
      await run(cmd, ['mysql', 'toss'], opts.json, (u) => u.pay.execute(input));
    });

  order
    .command('cancel')
    .description('--items: request a cancel of paid items; --refund: after restock, cancel their payment at Toss (partial, or full for the last items)')
    .argument('[orderId]', 'the order (or "orderId" in --file)')
    .option('--items <ids>', 'comma-separated product ids to cancel (step 1)')
    .option('--reason <text>', `why, 1-200 characters, sent to Toss as cancelReason (default "${DEFAULT_CANCEL_REASON}")`)
    .option('--refund', 'cancel the payment of a restocked cancel request at Toss (step 3)')
    .option('--request <n>', 'with --refund: which cancel request (default: the oldest not yet refunded)')
    .option('--file <json>', 'read {"orderId", "items"?, "reason"?, "refund"?, "request"?} instead of flags')
    .option('--json', 'print the order as JSON')
    .action(async (orderId: string | undefined, opts: Common & { items?: string; reason?: string; refund?: boolean; request?: string }, cmd: Command) => {
      const { cancelInput, readInput, splitList } = await inputs();
      const input = await readInput(cancelInput, {
        flags: {
          orderId,
          items: opts.items === undefined ? undefined : splitList(opts.items),
          reason: opts.reason,
          refund: opts.refund,
          request: opts.request,
        },
        flagNames: { ...ORDER_ID, items: '--items', reason: '--reason', refund: '--refund', request: '--request' },
        ...file(opts),
      });
      if (input.refund === true) {
        if (input.items !== undefined)
          throw usage('ORDER_INPUT_INVALID', '--items and --refund are separate steps: request the cancel (--items), restock, then --refund');
        return run(cmd, ['mysql', 'toss'], opts.json, (u) =>
          u.cancelPayment.execute({ orderId: input.orderId, ...(input.request === undefined ? {} : { cancelRequestSeq: input.request }) }),
        );
      }
      if (input.items === undefined)
        throw usage('ORDER_INPUT_INVALID', 'say what to do: --items <ids> to request a cancel, or --refund to cancel the payment of restocked items');
      if (input.request !== undefined) throw usage('ORDER_INPUT_INVALID', '--request only goes with --refund');
      const items = input.items;
      return run(cmd, ['mysql'], opts.json, (u) =>
        u.requestCancel.execute({ orderId: input.orderId, productIds: items, reason: input.reason ?? DEFAULT_CANCEL_REASON }),
      );
    });

  order
    .command('restock')
    .description('record that cancel-requested items are back in stock (this unlocks `cancel --refund`)')
    .argument('[orderId]', 'the order (or "orderId" in --file)')
    .option('--items <ids>', 'comma-separated product ids (default: every item waiting for restock)')
    .option('--file <json>', 'read {"orderId", "items"?} instead of flags')
    .option('--json', 'print the order as JSON')
    .action(async (orderId: string | undefined, opts: Common & { items?: string }, cmd: Command) => {
      const { itemsInput, readInput, splitList } = await inputs();
      const input = await readInput(itemsInput, {
        flags: { orderId, items: opts.items === undefined ? undefined : splitList(opts.items) },
        flagNames: { ...ORDER_ID, items: '--items' },
        ...file(opts),
      });
      await run(cmd, ['mysql'], opts.json, (u) => u.restock.execute({ orderId: input.orderId, ...(input.items ? { productIds: input.items } : {}) }));
    });

  order
    .command('confirm-purchase')
    .description('the customer keeps the items: they can no longer be cancelled')
    .argument('[orderId]', 'the order (or "orderId" in --file)')
    .option('--items <ids>', 'comma-separated product ids (default: every paid item not in a cancel)')
    .option('--file <json>', 'read {"orderId", "items"?} instead of flags')
    .option('--json', 'print the order as JSON')
    .action(async (orderId: string | undefined, opts: Common & { items?: string }, cmd: Command) => {
      const { itemsInput, readInput, splitList } = await inputs();
      const input = await readInput(itemsInput, {
        flags: { orderId, items: opts.items === undefined ? undefined : splitList(opts.items) },
        flagNames: { ...ORDER_ID, items: '--items' },
        ...file(opts),
      });
      await run(cmd, ['mysql'], opts.json, (u) => u.confirmPurchase.execute({ orderId: input.orderId, ...(input.items ? { productIds: input.items } : {}) }));
    });

  order
    .command('show')
    .description("an order, its payment ledger, and each entry's expected settlement date and status (REQUESTED, COMPLETED, CANCELED) from loaded settlements")
    .argument('<orderId>', 'the order')
    .option('--json', 'print JSON')
    .action(async (orderId: string, opts: Common, cmd: Command) => {
      await run(cmd, ['mysql'], opts.json, (u) => u.show.execute(orderId));
    });
}

/** --file plus the positional order id, which may accompany it. */
const file = (opts: Common) => (opts.file === undefined ? {} : { file: opts.file, withFile: ['orderId'] });

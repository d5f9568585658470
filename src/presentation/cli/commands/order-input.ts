import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SettleError } from '../../../domain/shared/settle-error.js';

/**
 * The inputs of `settle order …`, from flags or from `--file <json>` (same field names as the flags, camelCase).
 * Only the shape is checked here (types, formats): the business rules (quantity ≥ 1, one line per product, ...)
 * belong to the domain, which refuses with its own codes and exit 7. Every problem is reported at once,
 * naming the flag or the file field and what was expected; exit 2.
 */
const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, `expected ${what}, got an empty string`);

/** A whole number, as a JSON number or (from a flag) its decimal text; never a float. */
const whole = (what: string) =>
  z.unknown().transform((value, ctx) => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(n)) return n;
    ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${JSON.stringify(value) ?? 'nothing'}` });
    return z.NEVER;
  });

const productIds = z.array(text('a product id'), { error: 'expected a list of product ids' });

export const placeInput = z.strictObject({
  orderId: text('an order id (6-64 of A-Z a-z 0-9 _ -)').optional(),
  items: z.array(z.strictObject({ productId: text('a product id'), unitPrice: whole('a whole number of KRW'), quantity: whole('a whole number') }), {
    error: 'expected a list of {"productId", "unitPrice", "quantity"}',
  }),
});

export const payInput = z.strictObject({ orderId: text('an order id'), paymentKey: text("Toss's paymentKey"), amount: whole('a whole number of KRW') });

export const cancelInput = z.strictObject({
  orderId: text('an order id'),
  items: productIds.optional(),
  reason: z.string({ error: 'expected a text of 1-200 characters' }).optional(),
  refund: z.boolean({ error: 'expected true or false' }).optional(),
  request: whole('a cancel request number').optional(),
});

export const itemsInput = z.strictObject({ orderId: text('an order id'), items: productIds.optional() });

/** `--item sku-a:10000:2` → { productId, unitPrice, quantity } (numbers checked by the schema). */
export function parseItemFlag(value: string): { productId: string; unitPrice: string; quantity: string } {
  const parts = value.split(':');
  if (parts.length !== 3) throw usage(`--item: expected productId:unitPrice:quantity (e.g. sku-1:15000:2), got "${value}"`);
  const [productId = '', unitPrice = '', quantity = ''] = parts;
  return { productId, unitPrice, quantity };
}

/** `--items a,b` → ['a', 'b']. */
export const splitList = (value: string): string[] => value.split(',').map((s) => s.trim());

export interface InputSource {
  /** Values from flags and arguments, keyed by field name; undefined = not given. */
  readonly flags: Readonly<Record<string, unknown>>;
  /** field name → the flag that sets it, for messages. */
  readonly flagNames: Readonly<Record<string, string>>;
  readonly file?: string;
  /** Fields allowed beside --file (the positional order id). */
  readonly withFile?: readonly string[];
}

export async function readInput<S extends z.ZodType>(schema: S, source: InputSource): Promise<z.output<S>> {
  const given = Object.entries(source.flags).filter(([, v]) => v !== undefined);
  let raw: Record<string, unknown> = Object.fromEntries(given);
  if (source.file !== undefined) {
    const extra = given.filter(([k]) => !(source.withFile ?? []).includes(k)).map(([k]) => source.flagNames[k] ?? k);
    if (extra.length > 0) throw usage(`use either --file or ${extra.join(', ')}, not both`);
    const fromFile = await readJsonObject(source.file);
    for (const [k, v] of given) {
      if (fromFile[k] !== undefined && fromFile[k] !== v)
        throw usage(`${source.file}: "${k}" is ${JSON.stringify(fromFile[k])} but the argument says ${JSON.stringify(v)}`);
    }
    raw = { ...fromFile, ...Object.fromEntries(given) };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${where(issue.path, source)}: ${issue.message}`);
  throw new SettleError('ORDER_INPUT_INVALID', `invalid input:\n  - ${problems.join('\n  - ')}`, { details: { problems } });
}

function where(path: readonly PropertyKey[], source: InputSource): string {
  const [field, ...rest] = path.map(String);
  if (source.file !== undefined && !(source.withFile ?? []).includes(field ?? '')) {
    return `${source.file}: ${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(top level)'}`;
  }
  const flag = source.flagNames[field ?? ''] ?? field ?? '(input)';
  // --item #2 quantity: the second --item flag's quantity part
  return rest.length === 0 ? flag : `${flag} #${Number(rest[0]) + 1}${rest[1] ? ` ${rest[1]}` : ''}`;
}

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw usage(`--file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw usage(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw usage(`${file}: expected a JSON object`);
  return json as Record<string, unknown>;
}

const usage = (message: string) => new SettleError('ORDER_INPUT_INVALID', message);

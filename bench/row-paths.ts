import avsc from 'avsc';
import { parseOffsetDateTime } from '../src/application/ingest/offset-date-time.js';
import { validateSettlement, validateTypedSettlement } from '../src/domain/settlement/validate-settlement.js';
import type { Settlement, SettlementRuleFields } from '../src/domain/settlement/settlement.js';
import { encodePage, PageEncoder } from '../src/infrastructure/kafka/encoded-page.js';
import { readSettlementSchema } from '../src/infrastructure/kafka/settlement-schema-file.js';
import { ruleProjection } from '../src/infrastructure/kafka/settlement-decoder.js';
import { SettlementRuleReader } from '../src/infrastructure/kafka/settlement-rule-reader.js';
import { SettlementSerde } from '../src/infrastructure/kafka/settlement-serde.js';
import { SettlementAvroRows } from '../src/infrastructure/mysql/settlement-avro-rows.js';
import { TsvWriter } from '../src/infrastructure/mysql/settlement-load-data.js';
import { rawSettlementPage, ROWS_PER_PART } from '../src/infrastructure/toss/toss-settlements-client.js';
import { type SqlValue, toSettlementRow } from '../src/infrastructure/mysql/settlement-row.js';
import { generateSettlementRows } from '../test/support/settlement-row-generator.js';
import { benchArgs } from './bench-args.js';

/**
 * `npm run bench:rows [-- --rows N --runs R --json]`: settle's own per-row work without any I/O, each step timed by
 * the process's CPU (user + system), so a change to one step is seen without the noise of Kafka, MySQL and the
 * other process sharing the cores. No stack needed.
 *
 *   producer: parse   JSON.parse of a 5,000-row page body (as Toss sends it, ~830 bytes a row), whole
 *             validate validateSettlement of each row
 *             encode   the page's Avro values written into the page buffer (encodePage)
 *   producer in parts: the producer's path since round four: the body's outline (rawSettlementPage), then
 *             ROWS_PER_PART (250) rows at a time decoded and parsed (parse), validated and added to the page's encoder
 *             (PageEncoder), so a part's objects die before the next part is parsed
 *   producer from text: the producer's path since round six: the outline, then each row validated and written to
 *             Avro from its JSON text (write: PageEncoder.addJson), no JSON.parse
 *   consumer: decode   Avro → Settlement (the registry decoder's reader)
 *             validate validateTypedSettlement + approvedAt parsed
 *             row      toSettlementRow (the column values, the details JSON)
 *             tsv      the batch's LOAD DATA text (TsvWriter, 2,000-row batches)
 *   consumer avsc rules: the consumer's fast path as rounds four to seven ran it: decode reads the rule fields
 *             alone through avsc (ruleProjection), and the LOAD DATA text is written straight from each record's
 *             Avro bytes (SettlementAvroRows) instead of row + tsv
 *   consumer from bytes: the consumer's fast path since round eight: the rule fields read from the bytes by
 *             SettlementRuleReader (avsc only for a record it declines), as RegistrySettlementDecoder.decodeRuleFields
 *
 * µs per row of each step, the median of the runs (the first run warms up and is not counted).
 */
const args = benchArgs('npm run bench:rows --', {
  rows: { type: 'string', default: '200000' },
  runs: { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
});
const PAGE = 5_000;
const BATCH = 2_000;
const rows = Math.max(PAGE, Math.ceil(Number(args.rows) / PAGE) * PAGE);
const runs = Math.max(1, Number(args.runs));

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Per step, the CPU µs of one run (the steps of a run are timed in turn over the same rows). */
type Timings = Record<string, number>;

function producerRun(pages: readonly Buffer[], serde: SettlementSerde): Timings {
  const t = { parse: 0, validate: 0, encode: 0 };
  for (const body of pages) {
    let at = cpuNow();
    const raw = JSON.parse(body.toString('utf8')) as unknown[];
    let now = cpuNow();
    t.parse += now - at;
    at = now;
    const valid: Settlement[] = [];
    for (const r of raw) {
      const v = validateSettlement(r);
      if (v.ok) valid.push(v.value);
    }
    now = cpuNow();
    t.validate += now - at;
    at = now;
    encodePage(serde, valid);
    t.encode += cpuNow() - at;
  }
  return t;
}

/** The producer's path: the outline found, then each part parsed, validated and encoded before the next is parsed. */
function producerPartsRun(pages: readonly Buffer[], serde: SettlementSerde): Timings {
  const t = { outline: 0, parse: 0, validate: 0, encode: 0 };
  for (const page of pages) {
    const body = Buffer.from(page); // the parts write their brackets into the body
    let at = cpuNow();
    const raw = rawSettlementPage(body, 1, ROWS_PER_PART);
    const encoder = new PageEncoder(serde, raw.count);
    let now = cpuNow();
    t.outline += now - at;
    const parts = raw.parts()[Symbol.iterator]();
    for (;;) {
      at = now;
      const next = parts.next();
      now = cpuNow();
      t.parse += now - at;
      if (next.done === true) break;
      at = now;
      const fit: Settlement[] = [];
      for (const r of next.value) {
        const v = validateSettlement(r);
        if (v.ok) fit.push(v.value);
      }
      now = cpuNow();
      t.validate += now - at;
      at = now;
      encoder.add(fit);
      now = cpuNow();
      t.encode += now - at;
    }
    encoder.finish();
  }
  return t;
}

/**
 * The producer's path since round six: the body's outline (rawSettlementPage), then each row written from its JSON
 * text by the serde's fast path (PageEncoder.addJson, SettlementJsonAvro: validated, Avro written, no JSON.parse).
 * It takes every generated row (the unit test's promise); a decline here would measure something else, so it stops the bench.
 */
function producerFromTextRun(pages: readonly Buffer[], serde: SettlementSerde): Timings {
  const t = { outline: 0, write: 0 };
  for (const page of pages) {
    const at = cpuNow();
    const raw = rawSettlementPage(page, 1, ROWS_PER_PART);
    const encoder = new PageEncoder(serde, raw.count);
    const now = cpuNow();
    t.outline += now - at;
    const json = raw.json;
    if (json === null) throw new Error('a generated page has no rows');
    for (let i = 0; i < raw.count; i++) {
      if (encoder.addJson(json.text, (json.bounds[i] as number) + 1, json.bounds[i + 1] as number) === null)
        throw new Error(`the fast path declined generated row ${i + 1}`);
    }
    encoder.finish();
    t.write += cpuNow() - now;
  }
  return t;
}

/**
 * The consumer's per-row work on each batch of the payloads: decode and validate as the ingest does, then the
 * batch's LOAD DATA text, either from the settlement objects (row + tsv: `decode` reads them whole) or, with
 * `rowsFromBytes`, straight from each record's bytes (tsv alone: the consumer's fast path, where `decode` reads the
 * rule fields alone, as RegistrySettlementDecoder.decodeRuleFields does).
 */
function consumerRun(payloads: readonly Buffer[], decode: (p: Buffer) => SettlementRuleFields, writer: TsvWriter, rowsFromBytes?: SettlementAvroRows): Timings {
  const t: Timings = rowsFromBytes ? { decode: 0, validate: 0, tsv: 0 } : { decode: 0, validate: 0, row: 0, tsv: 0 };
  const step = (name: string, from: number): number => {
    const now = cpuNow();
    t[name] = (t[name] ?? 0) + now - from;
    return now;
  };
  for (let first = 0; first < payloads.length; first += BATCH) {
    const batch = payloads.slice(first, first + BATCH);
    let at = cpuNow();
    const decoded = batch.map(decode);
    at = step('decode', at);
    const checked = decoded.map((s) => {
      const v = validateTypedSettlement(s);
      if (!v.ok) throw new Error(v.rejection.reason);
      return { settlement: v.value, approvedAtMs: parseOffsetDateTime(v.value.approvedAt) as number };
    });
    at = step('validate', at);
    const source = (k: number) => ({ topic: 'toss.settlements.v1', partition: 3, offset: first + k, timestamp: 1_738_540_800_000 + k });
    if (rowsFromBytes) {
      writer.reset();
      for (let k = 0; k < batch.length; k++) {
        if (!rowsFromBytes.write(writer, batch[k] as Buffer, 0, checked[k]?.approvedAtMs as number)) throw new Error('the fast path declined a generated row');
        writer.lineEnd(first + k, 1_738_540_800_000 + k);
      }
      writer.text();
    } else {
      const values = checked.map((r, k) => toSettlementRow(r.settlement as Settlement, source(k), r.approvedAtMs)); // decoded whole here
      at = step('row', at);
      loadLines(writer, values);
    }
    step('tsv', at);
  }
  return t;
}

/** The LOAD DATA lines of full rows (ALL_COLUMNS), as the store writes them: data columns, offset, timestamp. */
function loadLines(writer: TsvWriter, values: ReadonlyArray<readonly SqlValue[]>): Buffer {
  writer.reset();
  for (const v of values) writer.loadLine(v);
  return writer.text();
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round = (x: number): number => Math.round(x * 100) / 100;

function measure(run: () => Timings): Record<string, number> {
  run(); // warm-up
  const all = Array.from({ length: runs }, run);
  const steps = Object.keys(all[0] ?? {});
  const out: Record<string, number> = {};
  for (const step of steps) out[step] = round(median(all.map((t) => (t[step] as number) / rows)));
  out.total = round(steps.reduce((sum, step) => sum + (out[step] as number), 0));
  return out;
}

// realistic keys, as the e2e bench's day: 32 hex characters, no order
const tossRows = generateSettlementRows({ count: rows, from: '2025-02-03', rowKeyPrefix: (i) => i.toString(16).padStart(8, '0') });
const pages: Buffer[] = [];
for (let p = 0; p < rows; p += PAGE) pages.push(Buffer.from(JSON.stringify(tossRows.slice(p, p + PAGE))));
const serde = SettlementSerde.withSchemaId(1);
const type = avsc.Type.forSchema(JSON.parse(readSettlementSchema()) as avsc.Schema);
const payloads = tossRows.map((r) => {
  const v = validateSettlement(r);
  if (!v.ok) throw new Error(v.rejection.reason);
  return type.toBuffer(v.value);
});

const producer = measure(() => producerRun(pages, serde));
const producerInParts = measure(() => producerPartsRun(pages, serde));
const producerFromText = measure(() => producerFromTextRun(pages, serde));
const consumer = measure(() => consumerRun(payloads, (p) => type.fromBuffer(p) as Settlement, new TsvWriter()));
const rules = avsc.Type.forSchema(ruleProjection(JSON.parse(readSettlementSchema()) as avsc.Schema));
const rulesFromReader = rules.createResolver(type);
const rowsFromBytes = SettlementAvroRows.forSchema(readSettlementSchema());
if (!rowsFromBytes) throw new Error('the settlement schema does not compile for the fast path');
const ruleReader = SettlementRuleReader.forSchema(readSettlementSchema());
if (!ruleReader) throw new Error('the settlement schema does not compile for the rule reader');
const rulesByAvsc = (p: Buffer) => rules.fromBuffer(p, rulesFromReader) as SettlementRuleFields;
const consumerAvscRules = measure(() => consumerRun(payloads, rulesByAvsc, new TsvWriter(), rowsFromBytes));
const consumerFromBytes = measure(() => consumerRun(payloads, (p) => ruleReader.read(p, 0) ?? rulesByAvsc(p), new TsvWriter(), rowsFromBytes));
const pageBytesPerRow = Math.round(pages.reduce((n, b) => n + b.length, 0) / rows);
const tsvBytesPerRow = Math.round(
  loadLines(
    new TsvWriter(),
    payloads
      .slice(0, BATCH)
      .map((p, k) => toSettlementRow(type.fromBuffer(p) as Settlement, { topic: 'toss.settlements.v1', partition: 3, offset: k, timestamp: k })),
  ).length / BATCH,
);

if (args.json)
  console.log(
    JSON.stringify({
      rows,
      runs,
      producer,
      producerInParts,
      producerFromText,
      consumer,
      consumerAvscRules,
      consumerFromBytes,
      pageBytesPerRow,
      tsvBytesPerRow,
    }),
  );
else {
  const line = (side: string, t: Record<string, number>) =>
    `${side.padEnd(9)} ${Object.entries(t)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join('  ')}  (CPU µs per row, median of ${runs} runs)`;
  console.log(`row paths: ${rows.toLocaleString('en-US')} rows, no I/O; page ${pageBytesPerRow} bytes/row, LOAD DATA text ${tsvBytesPerRow} bytes/row`);
  console.log(line('producer', producer));
  console.log(line('producer in parts', producerInParts));
  console.log(line('producer from text', producerFromText));
  console.log(line('consumer', consumer));
  console.log(line('consumer avsc rules', consumerAvscRules));
  console.log(line('consumer from bytes', consumerFromBytes));
}

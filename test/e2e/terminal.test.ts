import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, requireBuild, ROOT, runSettle } from '../support/producer-cli.js';
import { createSettlementTopics, dropSettlementTopics } from '../support/producer-kafka.js';
import { createTempDatabase, stack, testSecretKey, uniqueName, type TempDatabase } from '../support/producer-stack.js';
import { fault, generateSettlementRows, startTossFake, type TossFake } from '../support/toss-fake.js';
import { displayWidth } from '../../src/presentation/cli/table.js';

/**
 * What an operator sees at a shell. Each command runs on a real pseudo-terminal (`script` from util-linux; the
 * child's stdout and stderr are the terminal, sized with stty), through the checkout's `./settle`. The byte
 * stream the terminal receives is replayed through a small terminal emulator (below: CR, LF, autowrap, erase,
 * cursor moves, save/restore) and the assertions read the screen as a person would: the whole scrollback, in order.
 */

// ---------------------------------------------------------------------------------------------- the terminal

interface Screen {
  /** Every line from the first to the last written, the scrollback included, trailing blanks removed. */
  readonly lines: string[];
}

/** Replays `bytes` on a terminal of `cols` × `rows` (xterm-like; SGR colours and modes are ignored). */
function render(bytes: string, cols: number, rows = 40): Screen {
  const grid: string[][] = [[]];
  let row = 0;
  let col = 0;
  let top = 0; // first row on screen
  let autowrap = true;
  let pendingWrap = false;
  let saved = { row: 0, col: 0 };
  const line = (r: number) => (grid[r] ??= []);
  const scrollTo = (r: number) => {
    while (grid.length <= r) grid.push([]);
    if (r >= top + rows) top = r - rows + 1;
  };
  const put = (ch: string, width: number) => {
    if (pendingWrap && autowrap) {
      row += 1;
      col = 0;
      scrollTo(row);
    }
    pendingWrap = false;
    const l = line(row);
    while (l.length < col) l.push(' ');
    l[col] = ch;
    if (width === 2) l[col + 1] = '';
    col += width;
    if (col >= cols) {
      col = cols - 1;
      pendingWrap = true;
    }
  };
  const chars = [...bytes];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '\x1b') {
      const next = chars[i + 1];
      if (next === '[') {
        let j = i + 2;
        let params = '';
        while (j < chars.length && !/[@-~]/.test(chars[j] ?? '')) params += chars[j++];
        const final = chars[j] ?? '';
        i = j;
        const nums = params
          .replace(/^\?/, '')
          .split(';')
          .map((n) => (n === '' ? NaN : Number(n)));
        const n = Number.isNaN(nums[0] ?? NaN) ? 1 : (nums[0] ?? 1);
        pendingWrap = pendingWrap && final === 'm';
        if (params.startsWith('?')) {
          if (nums[0] === 7) autowrap = final === 'h';
          continue;
        }
        if (final === 'A') row = Math.max(top, row - n);
        else if (final === 'B') {
          row += n;
          scrollTo(row);
        } else if (final === 'C') col = Math.min(cols - 1, col + n);
        else if (final === 'D') col = Math.max(0, col - n);
        else if (final === 'G') col = Math.min(cols - 1, n - 1);
        else if (final === 'H') {
          row = top + ((nums[0] || 1) - 1);
          col = (nums[1] || 1) - 1;
          scrollTo(row);
        } else if (final === 'K') {
          const mode = Number.isNaN(nums[0] ?? NaN) ? 0 : nums[0];
          const l = line(row);
          if (mode === 0) l.length = Math.min(l.length, col);
          else if (mode === 1) for (let c = 0; c <= col && c < l.length; c++) l[c] = ' ';
          else l.length = 0;
        } else if (final === 'J') {
          const mode = Number.isNaN(nums[0] ?? NaN) ? 0 : nums[0];
          if (mode === 0) {
            line(row).length = Math.min(line(row).length, col);
            for (let r = row + 1; r < grid.length; r++) grid[r] = [];
          } else if (mode === 2 || mode === 3) for (let r = top; r < grid.length; r++) grid[r] = [];
        }
        continue;
      }
      if (next === ']') {
        // OSC … BEL or ST
        let j = i + 2;
        while (j < chars.length && chars[j] !== '\x07' && !(chars[j] === '\x1b' && chars[j + 1] === '\\')) j++;
        i = chars[j] === '\x07' ? j : j + 1;
        continue;
      }
      if (next === '7') saved = { row: row - top, col };
      else if (next === '8') {
        row = top + saved.row;
        col = saved.col;
      }
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n' || ch === '\b') pendingWrap = false;
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      scrollTo(row);
    } else if (ch === '\b') col = Math.max(0, col - 1);
    else if (ch === '\t') col = Math.min(cols - 1, (Math.floor(col / 8) + 1) * 8);
    else if (ch >= ' ') put(ch, displayWidth(ch) === 2 ? 2 : 1);
  }
  const lines = grid.map((l) => l.join('').trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return { lines };
}

interface PtyRun {
  readonly code: number | null;
  readonly bytes: string;
  readonly screen: Screen;
}

/** Runs `./settle args…` on a pseudo-terminal of cols × rows and returns what the terminal received. */
function onTerminal(args: readonly string[], env: Record<string, string>, cols: number, rows = 40): Promise<PtyRun> {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const command = `stty cols ${cols} rows ${rows} && exec ./settle ${quoted}`;
  return new Promise((resolve, reject) => {
    // -q quiet, -f flush, -e the child's exit code, -c the command; the typescript file is not wanted
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env: cleanEnv({ ...env, TERM: 'xterm-256color' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(chunks).toString('utf8');
      resolve({ code, bytes, screen: render(bytes, cols, rows) });
    });
  });
}

// eslint-disable-next-line no-control-regex -- escape sequences are what it removes
const ESC_CODES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[78]/g;
/** The lines the program wrote, as text (escape codes dropped, a line's CR-redraws kept as its last state). */
const lines = (bytes: string): string[] =>
  bytes
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => (l.split('\r').at(-1) ?? '').replace(ESC_CODES, ''));

/** The text at display columns [from, from + width) of a screen line (a Hangul syllable takes two columns). */
const columnsOf = (line: string, from: number, width: number): string => {
  let col = 0;
  let out = '';
  for (const ch of line) {
    if (col >= from && col < from + width) out += ch;
    col += displayWidth(ch);
  }
  return out;
};

const LOG_LINE = /^\d\d:\d\d:\d\d (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /;
const BAR_LINE = /^ page \d+ \| \d+ rows \| \d+ rejected \| \d+ rows\/s \| \d\d?[smh]/;
const BAR_PART = /\| \d+ rows\/s|\d+ rejected \|/;

/** The screen of a run, for a failing assertion (each test also leaves it in $TMPDIR/settle-terminal-*.txt). */
const show = (run: PtyRun) => `exit ${run.code}; the screen:\n${run.screen.lines.join('\n')}`;

// --------------------------------------------------------------------------------------------------- the runs

const secretKey = testSecretKey();
const topic = uniqueName('settle_e2e_terminal');
const FROM = '2025-03-03';
const TO = '2025-03-04';
let db: TempDatabase;
let fake: TossFake;
let env: Record<string, string>;

beforeAll(async () => {
  requireBuild();
  db = await createTempDatabase('settle_e2e');
  await createSettlementTopics(topic, 3);
  // 300 rows a day (2025-03-03 … 05) in pages of 20, each answered after 60 ms: the bar is on screen for a while and redraws many times
  // keys as long as Toss's (a 32-character transaction key, a 40-character payment key): a settlements list row is
  // wider than 120 columns, so only a table that keeps a row on one line off a terminal lets grep find a key
  const rows = generateSettlementRows({ count: 900, from: FROM, days: 3, seed: 13, keyPrefix: 'tgen2025030300' });
  fake = await startTossFake({ rows, secretKey, delayMs: 60 });
  env = {
    TOSS_API_BASE_URL: fake.url,
    TOSS_SECRET_KEY: secretKey,
    TOSS_PAGE_SIZE: '20',
    TOSS_CONCURRENCY: '1',
    KAFKA_BROKERS: stack.brokers,
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    MYSQL_URL: db.url,
    SETTLEMENT_TOPIC: topic,
    CONSUMER_GROUP: uniqueName('settle_e2e_terminal'),
    METRICS_PORT: '0',
  };
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await dropSettlementTopics(topic).catch(() => undefined);
  await db?.drop();
});

describe('settle on a terminal', () => {
  it("./settle prints nothing but settle's output", async () => {
    const run = await onTerminal(['--version'], env, 120);
    expect(run.code).toBe(0);
    expect(run.bytes.replace(/\r\n/g, '\n')).toBe('0.1.0\n');
  });

  it('produce: log lines print above the progress bar, one line each, and never share a screen line with it', async () => {
    // page 3 fails once (a retried Toss error: a WARN while the bar is up); LOG_LEVEL=info adds the job's own lines
    fake.setFaults({ 3: [fault.serverError()] });
    const run = await onTerminal(['produce', '--from', FROM, '--to', TO], { ...env, LOG_LEVEL: 'info' }, 400).finally(() => fake.setFaults({})); // wide enough for the longest info line
    writeFileSync(join(tmpdir(), 'settle-terminal-produce.txt'), run.screen.lines.join('\n'));
    expect(run.code, show(run)).toBe(0);
    const screen = run.screen.lines;
    // every line on the screen is one thing: a log line, the bar, or the summary
    for (const l of screen) {
      if (LOG_LINE.test(l)) expect(l, show(run)).not.toMatch(BAR_PART);
      else if (BAR_PART.test(l)) expect(l, show(run)).toMatch(BAR_LINE);
      else expect(l, show(run)).toMatch(/^(COMPLETED window 2025-03-03\.\.2025-03-04|pages 31 {2}fetched 600 {2}published 600 {2}rejected 0 )/);
    }
    // the bar is left once, as the last state, just above the summary
    const bars = screen.filter((l) => BAR_PART.test(l));
    expect(bars, show(run)).toHaveLength(1);
    expect(bars[0]).toMatch(/^ page 31 \| 600 rows \| 0 rejected \|/);
    expect(screen.indexOf(bars[0] ?? '')).toBe(screen.findIndex((l) => l.startsWith('COMPLETED')) - 1);
    // the retry warning and the job's info lines: each exactly one line, in full
    const logs = screen.filter((l) => LOG_LINE.test(l));
    expect(
      logs.filter((l) =>
        /^\d\d:\d\d:\d\d WARN {2}toss retrying settlement page page=3 attempt=1 delayMs=\d+ err="Toss answered 500 FAILED_INTERNAL_SYSTEM_PROCESSING: .*"$/.test(
          l,
        ),
      ),
      show(run),
    ).toHaveLength(1);
    expect(
      logs.filter((l) => /^\d\d:\d\d:\d\d INFO {2}settlement-job settlement job started window=\{.*\} executionId=\d+ resumeAfterPage=0 dryRun=false$/.test(l)),
    ).toHaveLength(1);
    expect(
      logs.filter((l) => /^\d\d:\d\d:\d\d INFO {2}settlement-job settlement job finished outcome=COMPLETED .*rowsFetched":600.*unknownFields=\{\}$/.test(l)),
    ).toHaveLength(1);
    // what was written: each log entry a single line (no JSON, no multi-line blocks)
    for (const l of lines(run.bytes).filter((x) => /^\d\d:\d\d:\d\d /.test(x))) expect(l).toMatch(LOG_LINE);
    expect(run.bytes).not.toContain('{"level"');
    expect(run.bytes).not.toContain(secretKey);
  });

  it('produce at the default level shows the warnings, the bar and the summary, no info lines', async () => {
    const day = '2025-03-05';
    fake.setFaults({ 2: [fault.tooManyRequests(1)] });
    // 160 columns: the warning's line fits (a longer one wraps, as a terminal does; it is not cut)
    const run = await onTerminal(['produce', '--from', day, '--to', day], env, 160).finally(() => fake.setFaults({}));
    writeFileSync(join(tmpdir(), 'settle-terminal-produce-default.txt'), run.screen.lines.join('\n'));
    expect(run.code, show(run)).toBe(0);
    const [warning, bar, ...rest] = run.screen.lines;
    expect(warning).toMatch(/^\d\d:\d\d:\d\d WARN {2}toss retrying settlement page page=2 attempt=1 delayMs=\d+ err="Toss answered 429 TOO_MANY_REQUESTS/);
    expect(bar).toMatch(/^ page 16 \| 300 rows \| 0 rejected \| \d+ rows\/s \| \d\ds$/);
    expect(rest).toEqual([
      expect.stringMatching(/^COMPLETED window 2025-03-05\.\.2025-03-05 \(soldDate\) execution \d+$/),
      expect.stringMatching(/^pages 16 {2}fetched 300 {2}published 300 {2}rejected 0 /),
    ]);
  });

  it('consume on a terminal: info at the default level (its batches are its progress), one line each, no errors', async () => {
    const run = await onTerminal(['consume', '--until-idle'], env, 160);
    writeFileSync(join(tmpdir(), 'settle-terminal-consume.txt'), run.screen.lines.join('\n'));
    expect(run.code, show(run)).toBe(0);
    const logs = run.screen.lines.filter((l) => LOG_LINE.test(l));
    expect(logs.filter((l) => / INFO {2}consume batch stored partition=\d+ records=\d+ /.test(l)).length, show(run)).toBeGreaterThan(0);
    expect(
      logs.filter((l) => / (ERROR|FATAL) /.test(l)),
      show(run),
    ).toEqual([]);
    for (const l of lines(run.bytes).filter((x) => /^\d\d:\d\d:\d\d /.test(x))) expect(l).toMatch(LOG_LINE);
  });

  it('reconcile on a 120-column terminal: the table is aligned and no line is wider than 120', async () => {
    const run = await onTerminal(['reconcile', '--from', FROM, '--to', TO], env, 120);
    writeFileSync(join(tmpdir(), 'settle-terminal-reconcile.txt'), run.screen.lines.join('\n'));
    expect(run.code, show(run)).toBe(0);
    for (const l of lines(run.bytes)) expect(displayWidth(l), l).toBeLessThanOrEqual(120);
    const screen = run.screen.lines;
    // no log lines at the default level on a terminal: the answer is the whole screen
    expect(screen.filter((l) => LOG_LINE.test(l))).toEqual([]);
    const head = screen.findIndex((l) => /^date\s+status\s+measure\s+api\s+kafka\s+mysql$/.test(l));
    expect(head, show(run)).toBeGreaterThan(0);
    const header = screen[head] ?? '';
    const table = screen.slice(head + 1, head + 1 + 12);
    expect(table[0]).toMatch(/^2025-03-03\s+OK\s+rows\s+300\s+300\s+300$/);
    expect(table[4]).toMatch(/^2025-03-04\s+OK\s+rows\s+300\s+300\s+300$/);
    expect(table[8]).toMatch(/^total\s+OK\s+rows\s+600\s+600\s+600$/);
    // numbers end under their headers' right edge
    for (const side of ['api', 'kafka', 'mysql']) {
      const end = header.indexOf(side) + side.length;
      for (const l of table) expect(l.slice(0, end), `${side} column:\n${screen.join('\n')}`).toMatch(/\d$/);
    }
    expect(screen.at(-1)).toBe('OK: Toss, Kafka and MySQL agree');
  });

  it('settlements list on a 100-column terminal: the keys wrap within the width, the numbers stay whole', async () => {
    const run = await onTerminal(['settlements', 'list', '--from', FROM, '--to', FROM, '--limit', '3'], env, 100);
    writeFileSync(join(tmpdir(), 'settle-terminal-settlements.txt'), run.screen.lines.join('\n'));
    expect(run.code, show(run)).toBe(0);
    for (const l of lines(run.bytes)) expect(displayWidth(l), l).toBeLessThanOrEqual(100);
    const [header] = run.screen.lines;
    expect(header).toMatch(/^transactionKey\s+paymentKey\s+method\s+amount\s+fee\s+payOutAmount\s+soldDate\s+paidOutDate$/);
    const soldAt = header?.indexOf('soldDate') ?? -1;
    const firsts = run.screen.lines.filter((l) => columnsOf(l, soldAt, 10) === FROM);
    expect(firsts, show(run)).toHaveLength(3);
    expect(run.screen.lines.at(-1)).toBe('3 row(s)');
  });

  it('settlements list through a pipe: one line a row, so grep finds a whole transaction key with its row', async () => {
    const run = await runSettle(['settlements', 'list', '--from', FROM, '--to', FROM, '--limit', '3'], env);
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^transactionKey\s+paymentKey\s+method\s+amount\s+fee\s+payOutAmount\s+soldDate\s+paidOutDate$/);
    expect(rows.at(-1)).toBe('3 row(s)');
    const data = rows.slice(0, -1).filter((l) => l !== '');
    expect(data).toHaveLength(3);
    for (const line of data) {
      const [key] = line.split(/\s+/);
      // what `settle settlements list | grep <key>` prints: exactly this row, with its sold date
      expect(
        run.stdout.split('\n').filter((l) => l.includes(key ?? '?')),
        line,
      ).toEqual([line]);
      expect(line).toContain(FROM);
    }
  });

  it('jobs list on a 120-column terminal: aligned under its header, within 120 columns', async () => {
    const run = await onTerminal(['jobs', 'list'], env, 120);
    writeFileSync(join(tmpdir(), 'settle-terminal-jobs.txt'), run.screen.lines.join('\n'));
    expect(run.code, show(run)).toBe(0);
    for (const l of lines(run.bytes)) expect(displayWidth(l), l).toBeLessThanOrEqual(120);
    const [header, ...rows] = run.screen.lines;
    expect(header).toMatch(/^\s*id\s+kind\s+status\s+window\s+pages\s+fetched\s+published\s+rejected\s+started \(UTC\)\s+took$/);
    expect(rows, show(run)).toHaveLength(2);
    const starts = ['kind', 'status', 'window', 'started'].map((h) => header?.indexOf(h) ?? -1);
    for (const r of rows) {
      expect(r).toMatch(/^\s*\d+\s+RUN\s+COMPLETED\s+2025-03-0\d\.\.2025-03-0\d soldDate\s+\d+\s+\d+\s+\d+\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+$/);
      // each column's text begins where its header does
      for (const at of starts) expect(r[at - 1] === ' ' && r[at] !== ' ', `${header}\n${r}`).toBe(true);
    }
  });
});

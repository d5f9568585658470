/**
 * The one table of error codes. A code means one thing: its category (which decides the exit code,
 * src/presentation/cli/exit-codes.ts) and whether retrying can help come from here, never from the throw site.
 * Callers and tests branch on the code, never on the message. docs/errors.md is made from this table
 * (`npm run docs:errors`); a unit test keeps the two equal.
 *
 * Adding a code: pick the category from what the failure means to the operator, write the summary as
 * "what happened: what to do", then run `npm run docs:errors`.
 */
export type ErrorCategory =
  | 'usage' // bad flag, argument or configuration
  | 'data' // rejected rows, reconcile mismatch, invalid input file
  | 'transient' // infrastructure down or overloaded: safe to retry
  | 'already-running'
  | 'already-completed'
  | 'rule' // a business rule refused the operation
  | 'internal';

export interface ErrorCodeEntry {
  readonly category: ErrorCategory;
  /** Whether trying the same thing again can help; when absent, true exactly for the category 'transient'. */
  readonly retriable?: boolean;
  /** What it means and what the operator does. */
  readonly summary: string;
}

/** One code per name of a fixed list, all with the same entry (MySQL's own codes we pass through by name). */
const each = <const P extends string, const N extends string, const E extends ErrorCodeEntry>(prefix: P, names: readonly N[], entry: E) =>
  Object.fromEntries(names.map((name) => [`${prefix}${name}`, entry])) as Record<`${P}${N}`, E>;

/** MySQL/MariaDB driver codes after which the same statement can succeed if tried again: MYSQL_<driver code>, transient. */
export const MYSQL_TRANSIENT_ERRORS = [
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
] as const;

/** MySQL refused the account or the database of MYSQL_URL: MYSQL_<driver code>, usage. */
export const MYSQL_ACCESS_ERRORS = ['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR'] as const;

/** TLS set up but refused: no TLS on the server (mysql2), or a certificate Node could not verify: MYSQL_<code>, usage. */
export const MYSQL_TLS_ERRORS = [
  'HANDSHAKE_NO_SSL_SUPPORT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
] as const;

export const ERROR_CODES = {
  // ── configuration and command line ──────────────────────────────────────────────────────────────────────────
  CONFIG_INVALID: { category: 'usage', summary: 'The configuration is incomplete or invalid; the message lists each variable or flag: fix them.' },
  SECRET_IN_ARGUMENT: {
    category: 'usage',
    summary: 'A URL flag carries a password (visible in ps and shell history): set it through the variable the message names.',
  },
  INVALID_FLAG: { category: 'usage', summary: 'A flag is missing, out of range or combined with one it excludes; the message names it.' },
  INVALID_WINDOW: { category: 'usage', summary: 'The window is incomplete or reversed (--from/--to), or a flag does not apply to it.' },
  INVALID_DATE: { category: 'usage', summary: 'A date (argument, flag or file field) is not a calendar date in YYYY-MM-DD; the message names it.' },
  INVALID_DATE_TYPE: { category: 'usage', summary: '--date-type must be soldDate or paidOutDate.' },
  INVALID_SHARDS: { category: 'usage', summary: '--shards is not a whole number in the allowed range.' },
  INVALID_SHARD: { category: 'usage', summary: '--shard (or JOB_COMPLETION_INDEX) is not a worker index from 0 to --shards - 1.' },
  INVALID_YEAR: { category: 'usage', summary: 'The year argument is not a four-digit year from 1900.' },
  INVALID_DAYS: { category: 'usage', summary: '--days is not a whole number of business days in the allowed range.' },
  INVALID_BUSINESS_DAYS: { category: 'usage', summary: 'A number of business days is negative or not whole.' },
  CONFIRMATION_REQUIRED: { category: 'usage', summary: 'A replay needs confirmation and there is no terminal to ask: pass --yes.' },
  SCHEMA_FILE_MISSING: { category: 'usage', summary: 'The file given to --schema does not exist.' },
  METRICS_PORT_UNAVAILABLE: {
    category: 'usage',
    summary: 'The consumer cannot listen on its metrics port (in use or not allowed): pick another with --metrics-port.',
  },
  HOLIDAY_OVERRIDES_UNREADABLE: {
    category: 'usage',
    summary: 'The holiday overrides file (HOLIDAY_OVERRIDES_FILE) cannot be read: check the path and its permissions.',
  },
  HOLIDAY_OVERRIDES_INVALID: { category: 'usage', summary: 'The holiday overrides file is invalid; the message lists each problem: fix the file.' },

  // ── producer: Toss, the window and its execution ─────────────────────────────────────────────────────────────
  TOSS_TIMEOUT: { category: 'transient', summary: 'Toss gave no complete answer within TOSS_TIMEOUT_MS; retried, then exit 4: rerun (it resumes).' },
  TOSS_UNREACHABLE: {
    category: 'transient',
    summary: 'The connection to Toss failed or broke (refused, reset, DNS); retried, then exit 4: rerun once Toss is reachable.',
  },
  TOSS_TRUNCATED_BODY: { category: 'transient', summary: "Toss's answer broke off before its JSON ended; retried, then exit 4: rerun." },
  TOSS_UNAVAILABLE: {
    category: 'transient',
    summary: "Toss answered 429, a 5xx or a 'try again' code (Toss's code in details.tossCode); retried, then exit 4: rerun later.",
  },
  TOSS_REQUEST_REJECTED: {
    category: 'usage',
    summary: "Toss rejected our key or request (400, 401, 403, 404; Toss's code in details.tossCode): check TOSS_SECRET_KEY, TOSS_API_BASE_URL and the input.",
  },
  TOSS_HTTP_UNEXPECTED: { category: 'internal', summary: "Toss answered an HTTP status settle does not expect (Toss's code in details.tossCode): report it." },
  TOSS_REQUEST_FAILED: { category: 'internal', summary: 'A request to Toss could not be made at all (invalid URL or header): a bug, report it.' },
  TOSS_UNEXPECTED_BODY: {
    category: 'internal',
    summary:
      "Toss's settlement answer is JSON but not an array, or an array with rows that are not valid JSON (named in the message): report it; a rerun resumes after the last checkpointed page.",
  },
  TOSS_PAGE_REPEATED: {
    category: 'data',
    summary: 'Toss answered a page with rows of an earlier page, so the window would never end: see docs/architecture.md, then rerun.',
  },
  TOSS_PAGE_LIMIT_EXCEEDED: {
    category: 'data',
    summary: 'A page past the page limit (TOSS_MAX_PAGES, TOSS_MAX_ROWS_PER_DAY) still holds rows: raise the limit if the volume is real.',
  },
  TOSS_PAGE_CHANGED: {
    category: 'data',
    summary: 'Toss did not confirm where the window ends (the last page changed when asked again): rerun; nothing past it was published.',
  },
  ABORTED: { category: 'transient', retriable: false, summary: 'Stopped by a signal while waiting (Toss, or a Kafka scan); not retried: rerun resumes.' },
  JOB_STOPPED: { category: 'transient', summary: 'produce or replay stopped on SIGTERM/SIGINT after the pages Kafka acknowledged: rerun resumes.' },
  SHUTDOWN_DEADLINE_EXCEEDED: {
    category: 'transient',
    summary: 'The stop did not finish within SHUTDOWN_TIMEOUT_MS; what was checkpointed stays: rerun resumes.',
  },
  JOB_ALREADY_RUNNING: {
    category: 'already-running',
    summary: 'Another execution holds the window (or the execution named is still running): do not start another.',
  },
  JOB_CLAIM_LOST: {
    category: 'already-running',
    summary: 'An operator recovered or abandoned this execution while it ran: it stopped; look at `settle jobs`.',
  },
  JOB_ALREADY_COMPLETED: { category: 'already-completed', summary: 'The window was already published: nothing to do, or `settle replay` to publish it again.' },
  JOB_NOT_FOUND: { category: 'usage', summary: 'No execution has the id given: list them with `settle jobs`.' },
  JOB_NOT_STARTED: { category: 'usage', summary: '`settle jobs recover` takes a STARTED execution; this one is not.' },
  JOB_NOT_ABANDONABLE: { category: 'usage', summary: 'Only FAILED or STOPPED executions can be abandoned: recover a STARTED one first.' },
  JOB_SHARDS_MISMATCH: { category: 'usage', summary: 'The window was run with another number of workers: rerun it with the --shards the message names.' },
  JOB_PAGE_SIZE_MISMATCH: {
    category: 'usage',
    summary: "The stopped execution's position cannot be resumed with this page size: rerun with the --page-size the message names.",
  },
  JOB_PAGE_SIZE_UNKNOWN: {
    category: 'usage',
    summary: 'The stopped execution predates recorded page sizes: resume it with the page size it was run with, as the message says.',
  },

  // ── Kafka and the schema registry ────────────────────────────────────────────────────────────────────────────
  KAFKA_PUBLISH_FAILED: {
    category: 'transient',
    summary: 'Publishing to the topic failed (Kafka down or overloaded): rerun; it resumes after the last acknowledged page.',
  },
  KAFKA_ADMIN_FAILED: { category: 'transient', summary: 'Creating the topics failed (Kafka unreachable): rerun `settle kafka init`.' },
  KAFKA_OFFSETS_UNAVAILABLE: { category: 'transient', summary: "The topic's offsets could not be read (Kafka unreachable): retry." },
  KAFKA_UNAVAILABLE: { category: 'transient', summary: 'Kafka could not be reached for a reconcile: retry.' },
  KAFKA_SCAN_FAILED: { category: 'transient', summary: 'Reading the topic for a reconcile failed: retry.' },
  KAFKA_SCAN_TIMEOUT: { category: 'transient', summary: 'Reading the topic did not reach its end in time: retry, or raise the reconcile timeout.' },
  KAFKA_CONSUMER_CRASHED: {
    category: 'transient',
    summary: "kafkajs's consumer stopped on an error: the consumer exits 4 and its restart resumes from the stored offsets.",
  },
  CONSUMER_STOPPING: { category: 'transient', summary: 'Work abandoned because the consumer is stopping: nothing committed, a restart redoes it.' },
  CONSUMER_FAILED: { category: 'internal', summary: 'The consumer stopped on an error settle did not classify: report it with the log.' },
  TOPIC_MISSING: { category: 'usage', summary: 'The topic does not exist: run `settle kafka init` (or check --topic).' },
  DLQ_PUBLISH_FAILED: { category: 'transient', summary: 'Dead letters could not be published: the batch is not committed and is retried.' },
  DLQ_READ_TIMEOUT: { category: 'transient', summary: 'Reading the dead-letter topic did not finish in time: retry.' },
  DLQ_REDRIVE_FAILED: { category: 'transient', summary: 'Dead letters could not be published again: retry the redrive.' },
  DLQ_OFFSET_INVALID: { category: 'usage', summary: '--offset is not OFFSET or PARTITION:OFFSET.' },
  LIMIT_INVALID: { category: 'usage', summary: '--limit must be a whole number of at least 1.' },
  REDRIVE_SELECTION_INVALID: { category: 'usage', summary: '`settle dlq redrive` takes either --offset … or --all.' },
  SCHEMA_REGISTRY_UNREACHABLE: { category: 'transient', summary: 'The schema registry did not answer: check it is up and SCHEMA_REGISTRY_URL, then retry.' },
  SCHEMA_REGISTRY_UNAVAILABLE: { category: 'transient', summary: 'The schema registry answered 429 or a 5xx: retry later.' },
  SCHEMA_REGISTRY_FAILED: {
    category: 'transient',
    summary: 'The registry client could not read or register a schema (registry down, slow or failing): retry; check the registry if it persists.',
  },
  SCHEMA_REGISTRY_UNAUTHORIZED: {
    category: 'usage',
    summary: 'The schema registry refused the credentials: check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD.',
  },
  SCHEMA_REGISTRY_REJECTED: {
    category: 'usage',
    summary: 'The schema registry answered another 4xx: SCHEMA_REGISTRY_URL must be the Confluent-compatible API root.',
  },
  SCHEMA_REGISTRY_ANSWER_INVALID: { category: 'internal', summary: 'The schema registry answered success without a schema: report it.' },
  SCHEMA_COMPATIBILITY_LEVEL: {
    category: 'usage',
    summary: "The subject's compatibility level is not BACKWARD: set it as the message says, then `settle schema check`.",
  },
  SCHEMA_INCOMPATIBLE: { category: 'data', summary: 'The registry refuses the settlement schema as incompatible with the subject: see `settle schema check`.' },
  SCHEMA_INVALID: { category: 'data', summary: 'A schema (file or registered) is not a valid Avro schema.' },
  AVRO_ENCODE_FAILED: { category: 'data', summary: 'A settlement row does not fit the Avro schema: the row is rejected.' },
  NOT_CONFLUENT_WIRE_FORMAT: {
    category: 'data',
    summary: 'A record is not in Confluent wire format (magic byte 0 + schema id): it goes to the dead-letter topic.',
  },
  UNKNOWN_SCHEMA_ID: { category: 'data', summary: "A record's schema id is unknown to the registry: it goes to the dead-letter topic." },
  NOT_AVRO_SCHEMA: { category: 'data', summary: "A record's schema id names a schema that is not Avro: it goes to the dead-letter topic." },
  SCHEMA_NOT_READABLE: { category: 'data', summary: "A record's writer schema cannot be read as the settlement schema: it goes to the dead-letter topic." },
  AVRO_DECODE_FAILED: { category: 'data', summary: 'A record cannot be decoded with its schema: it goes to the dead-letter topic.' },
  EMPTY_VALUE: { category: 'data', summary: 'A record has no value (a tombstone or empty): it goes to the dead-letter topic.' },
  SETTLEMENT_INVALID: {
    category: 'data',
    summary: 'A decoded settlement breaks a rule its schema cannot state (the message names the field): it goes to the dead-letter topic.',
  },
  GROUP_HAS_LIVE_MEMBERS: { category: 'already-running', summary: 'The consumer group has live members: stop the consumers before rewinding it (or --force).' },

  RECONCILE_MISMATCH: {
    category: 'data',
    summary: 'Toss, Kafka and MySQL disagree for the window (printed, not thrown): see docs/operating.md, Replay a window, then replay the dates named.',
  },

  // ── consumer: stored offsets and ingest ──────────────────────────────────────────────────────────────────────
  STORED_OFFSET_BEYOND_LOG: { category: 'data', summary: 'A stored offset is past the end of the log (topic recreated or truncated): see docs/operating.md.' },
  STORED_OFFSET_BELOW_LOG_START: {
    category: 'data',
    summary: 'Records were deleted by retention before they were loaded: see docs/operating.md, Records deleted before they were loaded.',
  },
  INGEST_ABORTED: { category: 'transient', summary: 'A batch was abandoned on shutdown with nothing committed: a restart loads it.' },
  INGEST_RETRIES_EXHAUSTED: {
    category: 'transient',
    summary: 'A batch kept failing a step after its retries: the consumer stops instead of skipping; it resumes on restart.',
  },

  // ── MySQL ────────────────────────────────────────────────────────────────────────────────────────────────────
  MYSQL_QUERY_TIMEOUT: { category: 'transient', summary: 'A statement got no answer within MYSQL_QUERY_TIMEOUT_MS; its connection is closed: retry.' },
  MYSQL_CONNECTION_CLOSED: { category: 'transient', summary: 'The MySQL connection was already closed (lost, or abandoned after a timeout): retry.' },
  ...each('MYSQL_', MYSQL_TRANSIENT_ERRORS, {
    category: 'transient',
    summary: 'MySQL answered with this driver code, after which the same statement can succeed (lock, connection, server restart): retry.',
  }),
  ...each('MYSQL_', MYSQL_ACCESS_ERRORS, { category: 'usage', summary: 'MySQL refused the account or the database: check MYSQL_URL.' }),
  ...each('MYSQL_', MYSQL_TLS_ERRORS, {
    category: 'usage',
    summary: "MySQL's TLS set-up failed (this driver code): check MYSQL_SSL and MYSQL_SSL_CA against the server.",
  }),
  MYSQL_ROW_ID_COLLISION: {
    category: 'transient',
    summary: "The server gave an incoming settlement the auto-increment id of another stored row; the upsert's guard refused to overwrite it: retry.",
  },
  MYSQL_SCHEMA_MISSING: { category: 'usage', summary: 'A table is missing: run `settle db migrate`.' },
  MYSQL_QUERY_FAILED: { category: 'internal', summary: "Any other MySQL error (the server's code in details.mysqlCode and the message): report it." },
  MIGRATION_LOCK_TIMEOUT: { category: 'transient', summary: 'Another process is migrating the database: retry.' },
  MIGRATION_MODIFIED: { category: 'usage', summary: 'An applied migration file was changed: restore it and add a new migration instead.' },
  SETTLEMENTS_TABLE_MISSING: { category: 'usage', summary: 'The database has no settlements table: run `settle db migrate`.' },
  SETTLEMENTS_NOT_PARTITIONED: { category: 'usage', summary: 'The settlements table is not partitioned: run `settle db migrate`.' },
  SETTLEMENTS_PARTITIONS_UNEXPECTED: {
    category: 'usage',
    summary: "The settlements table's partitions are not the daily layout settle keeps: fix them by hand as the message says.",
  },
  TOO_MANY_PARTITIONS: { category: 'usage', summary: 'The range would add more partitions than allowed at once: ensure a shorter range first.' },
  ARCHIVE_TABLE_NOT_EMPTY: { category: 'usage', summary: 'The archive table already holds rows: move or drop it first.' },
  PARTITIONS_LOCK_TIMEOUT: { category: 'transient', summary: "Another process is maintaining the settlements table's partitions: retry." },
  APPROVED_AT_INVALID: { category: 'data', summary: "A settlement's approvedAt is not a date-time: the row is rejected." },
  UNSAFE_NUMBER: { category: 'internal', summary: 'A number to store is not a safe integer: a bug, report it.' },
  LOAD_RESULT_UNREADABLE: { category: 'internal', summary: "MySQL's LOAD DATA counts cannot be read or do not add up: report it." },
  UPSERT_RESULT_UNREADABLE: { category: 'internal', summary: "MySQL's upsert counts cannot be read or do not add up (is CLIENT_FOUND_ROWS on?): report it." },
  INVALID_IDENTIFIER: { category: 'internal', summary: 'settle refused to put an unsafe identifier into SQL: a bug, report it.' },

  // ── calendar ─────────────────────────────────────────────────────────────────────────────────────────────────
  CALENDAR_NO_BUSINESS_DAY: { category: 'internal', summary: "No business day within the calendar's search range: check the holiday data and overrides." },
  CALENDAR_NO_HORIZON: { category: 'internal', summary: 'The holiday data states no verified year: report it.' },
  EPOCH_DAY_INVALID: { category: 'internal', summary: 'A day number is not whole: a bug, report it.' },
  INSTANT_INVALID: { category: 'internal', summary: 'An instant handed to the calendar is not an ISO-8601 date-time: a bug, report it.' },

  // ── orders and payments ──────────────────────────────────────────────────────────────────────────────────────
  ORDER_INPUT_INVALID: {
    category: 'usage',
    summary: "The order command's flags or --file are invalid or contradict each other; the message lists each problem.",
  },
  ORDER_NOT_FOUND: { category: 'usage', summary: 'No order has the id given.' },
  RECONCILE_WINDOW_INVALID: { category: 'usage', summary: '`reconcile --payments`: --to is before --from.' },
  ORDER_ID_INVALID: { category: 'rule', summary: "An order id must be 6-64 characters of A-Z, a-z, 0-9, '_' or '-' (Toss's rule)." },
  ORDER_WITHOUT_ITEMS: { category: 'rule', summary: 'An order needs at least one item.' },
  ORDER_DUPLICATE_PRODUCT_LINE: { category: 'rule', summary: 'A product appears on two lines: use one line with a quantity.' },
  ORDER_PRODUCT_ID_INVALID: { category: 'rule', summary: "A product id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'." },
  ORDER_QUANTITY_INVALID: { category: 'rule', summary: 'A quantity must be a whole number of at least 1.' },
  ORDER_UNIT_PRICE_INVALID: { category: 'rule', summary: 'A unit price must be a whole number of KRW above 0.' },
  ORDER_TOTAL_TOO_LARGE: { category: 'rule', summary: 'The order total exceeds the largest exact integer.' },
  ORDER_ITEM_UNKNOWN: { category: 'rule', summary: 'The order has no line for the product named.' },
  ORDER_NO_ITEMS_SELECTED: { category: 'rule', summary: 'No items of the order were selected for the operation.' },
  ORDER_NOT_AWAITING_PAYMENT: { category: 'rule', summary: 'The order is not in ORDER_COMPLETED, so it cannot be paid.' },
  ORDER_ALREADY_EXISTS: { category: 'rule', summary: 'An order with this id already exists.' },
  PAYMENT_AMOUNT_MISMATCH: { category: 'rule', summary: "The payment's amount differs from the order's total." },
  PAYMENT_NOT_FOUND: { category: 'rule', summary: 'The order has no payment.' },
  PAYMENT_KEY_INVALID: { category: 'rule', summary: 'A paymentKey must be 1-200 visible ASCII characters, as Toss issues them.' },
  PAYMENT_METHOD_UNSUPPORTED: { category: 'rule', summary: 'The payment method is not supported (card only).' },
  PAYMENT_METHOD_NOT_ALLOWED: {
    category: 'rule',
    summary: 'Toss approved a non-card payment; settle cancelled it in full at Toss and the order still awaits a card payment.',
  },
  CANCEL_AFTER_PURCHASE_CONFIRMED: { category: 'rule', summary: 'A purchase-confirmed item cannot be cancelled.' },
  ITEM_NOT_CANCELABLE: { category: 'rule', summary: 'Only a paid item (PAYMENT_COMPLETED) can be cancelled.' },
  ITEM_NOT_CONFIRMABLE: { category: 'rule', summary: 'Only a paid item (PAYMENT_COMPLETED) can be purchase-confirmed.' },
  RESTOCK_WITHOUT_CANCEL_REQUEST: { category: 'rule', summary: 'Only an item with a cancel request can be restocked.' },
  CANCEL_REQUEST_NOT_OPEN: { category: 'rule', summary: 'There is no open cancel request (or not the one named) waiting for a payment cancel.' },
  CANCEL_BEFORE_RESTOCK: { category: 'rule', summary: 'Items must be restocked before their payment is cancelled.' },
  CANCEL_EXCEEDS_BALANCE: { category: 'rule', summary: "The cancel amount exceeds the payment's balance." },
  FULL_CANCEL_AMOUNT_MISMATCH: { category: 'rule', summary: "A full cancel must refund the payment's whole balance." },
  CANCEL_AMOUNT_INVALID: { category: 'rule', summary: 'A cancel amount must be a whole number of KRW above 0.' },
  CANCEL_REASON_INVALID: { category: 'rule', summary: 'A cancel reason must be 1-200 characters.' },
  PARTIAL_CANCEL_NOT_SUPPORTED: { category: 'rule', summary: 'This kind of payment can only be cancelled in full.' },
  PAYMENT_OPERATION_PENDING: {
    category: 'rule',
    summary: 'An earlier payment operation of the order is unfinished (or its void was refused): re-run the command the message names first.',
  },
  TOSS_REFUSED: {
    category: 'rule',
    summary:
      "Toss refused the payment operation itself (Toss's code in details.tossCode, e.g. NOT_CANCELABLE_PAYMENT): fix the business situation, not the call.",
  },
  TOSS_RESPONSE_INVALID: { category: 'internal', summary: "Toss's payment answer is not the Payment object settle expects: report it." },
  PAYMENT_OPERATION_INCOMPLETE: { category: 'transient', summary: 'Toss did the operation but recording it failed: re-run the same command to complete it.' },
  PAYMENT_VOID_INCOMPLETE: {
    category: 'transient',
    summary: 'Cancelling a non-card approval got no answer or a "try again" from Toss; the money may still be held: re-run the command the message names.',
  },
  PAYMENT_VOID_REFUSED: {
    category: 'rule',
    summary: "Toss refused to cancel a non-card approval; the customer's money is still held: see `settle order show`, retry with the command named.",
  },
  PAYMENT_VOID_REJECTED: {
    category: 'usage',
    summary: 'Toss rejected our key or request to cancel a non-card approval; the money is still held: fix the configuration, then retry as named.',
  },
  PAYMENT_VOID_FAILED: {
    category: 'internal',
    summary: 'Cancelling a non-card approval failed on an error settle did not classify; the money may still be held: report it, retry as named.',
  },
  PAYMENT_OPERATION_CORRUPT: { category: 'internal', summary: 'A stored payment operation does not hold the request it should: report it.' },
  IDEMPOTENCY_KEY_CONFLICT: {
    category: 'internal',
    summary: 'An Idempotency-Key was first used for a different request; settle refuses to reuse it: report it.',
  },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes of one category, e.g. `CodeOf<'rule'>` for RuleViolation. */
export type CodeOf<C extends ErrorCategory> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['category'] extends C ? K : never }[ErrorCode];

export const isErrorCode = (text: string): text is ErrorCode => Object.hasOwn(ERROR_CODES, text);

export const errorCodeEntry = (code: ErrorCode): ErrorCodeEntry => ERROR_CODES[code];

/** Whether retrying can help: the entry's own word, else true exactly for transient codes. */
export const isRetriableCode = (code: ErrorCode): boolean => {
  const entry = errorCodeEntry(code);
  return entry.retriable ?? entry.category === 'transient';
};

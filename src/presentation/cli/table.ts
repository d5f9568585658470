/**
 * The one table layout of the CLI's text output: columns aligned (text left, numbers right), two spaces between
 * them, and on a terminal the whole table within its width. Off a terminal (a pipe, a file, `| grep`) a row stays on
 * one line, as `kubectl get` does, so a key never wraps away from its row. Columns marked `wrap` give way when the
 * table is too wide for the terminal: their text wraps onto continuation lines, never cut, so a line holds no
 * more than the width unless the other columns alone are wider. A row may carry a `detail` (an error, a list of
 * workers) printed on its own lines below it, indented and wrapped. `--json` gives every field; the table is for
 * reading.
 */
export type Cell = string | number | null | undefined;

export interface Column {
  readonly header: string;
  /** 'right' for numbers; default 'left'. */
  readonly align?: 'left' | 'right';
  /** May be narrowed to fit the width; its text then wraps (at spaces, or anywhere in a long word). */
  readonly wrap?: boolean;
  /** The narrowest a wrap column becomes (default 12). */
  readonly min?: number;
}

export interface Row {
  readonly cells: readonly Cell[];
  /** Free text shown under the row, indented, wrapped to the width. */
  readonly detail?: string | null;
}

export interface TableOptions {
  /** Default: outputWidth(). */
  readonly width?: number;
  /** Columns whose header is shown, default true. */
  readonly header?: boolean;
}

const GAP = '  ';
const DETAIL_INDENT = '    ';

/** The width tables are laid out for: the terminal's columns when stdout is a terminal, else no limit (one line a row). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : Number.POSITIVE_INFINITY;
}

/** Display columns of a string: East Asian wide characters (Hangul, CJK, fullwidth forms) take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) continue; // controls, combining marks, ZWSP
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

const isWide = (cp: number): boolean =>
  (cp >= 0x1100 && cp <= 0x115f) ||
  (cp >= 0x2e80 && cp <= 0x303e) ||
  (cp >= 0x3041 && cp <= 0x33ff) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0xa960 && cp <= 0xa97f) ||
  (cp >= 0xac00 && cp <= 0xd7a3) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xff60) ||
  (cp >= 0xffe0 && cp <= 0xffe6) ||
  (cp >= 0x1f300 && cp <= 0x1faff) ||
  (cp >= 0x20000 && cp <= 0x3fffd);

const pad = (text: string, width: number, align: 'left' | 'right'): string => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
};

/** Splits text into lines of at most `width` display columns: at spaces where it can, inside a word where it must. */
export function wrapText(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      let rest = word;
      for (;;) {
        const sep = line ? 1 : 0;
        if (displayWidth(line) + sep + displayWidth(rest) <= limit) {
          line = line ? `${line} ${rest}` : rest;
          break;
        }
        if (line) {
          lines.push(line);
          line = '';
          continue;
        }
        // a word longer than the line: cut it
        let cut = '';
        for (const ch of rest) {
          if (displayWidth(cut + ch) > limit) break;
          cut += ch;
        }
        if (!cut) cut = [...rest][0] ?? '';
        const comma = cut.lastIndexOf(',');
        if (comma > 0 && comma < cut.length - 1) cut = cut.slice(0, comma + 1); // a list breaks after a comma
        lines.push(cut);
        rest = rest.slice(cut.length);
        if (!rest) break;
      }
    }
    lines.push(line);
  }
  return lines;
}

const text = (cell: Cell): string => (cell === null || cell === undefined ? '' : String(cell));

/** The table's lines (no trailing spaces). */
export function renderTable(columns: readonly Column[], rows: ReadonlyArray<Row | readonly Cell[]>, options: TableOptions = {}): string[] {
  const width = options.width ?? outputWidth();
  const showHeader = options.header !== false;
  const all: Row[] = rows.map((r) => (isRow(r) ? r : { cells: r }));
  const natural = columns.map((c, i) =>
    Math.max(showHeader ? displayWidth(c.header) : 0, ...all.map((r) => Math.max(0, ...text(r.cells[i]).split('\n').map(displayWidth)))),
  );
  const widths = fit(columns, natural, width);

  const lines: string[] = [];
  const emit = (cells: readonly Cell[]) => {
    const wrapped = columns.map((c, i) => (c.wrap || text(cells[i]).includes('\n') ? wrapText(text(cells[i]), widths[i] ?? 1) : [text(cells[i])]));
    const height = Math.max(1, ...wrapped.map((w) => w.length));
    for (let l = 0; l < height; l++)
      lines.push(
        columns
          .map((c, i) => pad(wrapped[i]?.[l] ?? '', widths[i] ?? 0, c.align ?? 'left'))
          .join(GAP)
          .trimEnd(),
      );
  };
  if (showHeader) emit(columns.map((c) => c.header));
  for (const row of all) {
    emit(row.cells);
    if (row.detail) for (const line of wrapText(row.detail, width - DETAIL_INDENT.length)) lines.push(`${DETAIL_INDENT}${line}`.trimEnd());
  }
  return lines;
}

const isRow = (r: Row | readonly Cell[]): r is Row => !Array.isArray(r);

/** Column widths within `width`: the widest wrap column gives way first, down to its minimum. */
function fit(columns: readonly Column[], natural: readonly number[], width: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((n, w) => n + w, 0) + GAP.length * Math.max(0, widths.length - 1);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < columns.length; i++) {
      const min = Math.min(natural[i] ?? 0, columns[i]?.min ?? 12);
      if (columns[i]?.wrap && (widths[i] ?? 0) > min && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break; // only fixed columns left: as narrow as it gets
    const min = Math.min(natural[widest] ?? 0, columns[widest]?.min ?? 12);
    widths[widest] = Math.max(min, (widths[widest] ?? 0) - (total() - width));
  }
  return widths;
}

/** A duration as people read it at a glance: `850ms`, `12s`, `4m05s`, `3h04m`, `2d03h`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor((s % 86_400) / 3600))}h`;
}

/** An ISO instant as `YYYY-MM-DD HH:MM:SS` (UTC), the table's form; anything else as it is. */
export function shortInstant(iso: string | null | undefined, sameDayAs?: string | null): string {
  if (!iso) return '-';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  if (!m) return iso;
  const day = sameDayAs ? /^(\d{4}-\d{2}-\d{2})T/.exec(sameDayAs)?.[1] : undefined;
  return day === m[1] ? (m[2] ?? iso) : `${m[1]} ${m[2]}`;
}

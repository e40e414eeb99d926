/** What commands print: plain tables for people, JSON for scripts. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A left-aligned table; each cell is cut at 80 characters so one long error does not wreck the layout. */
export function printTable(headers: string[], rows: string[][]): void {
  const cells = [headers, ...rows].map((row) => row.map((cell) => (cell.length > 80 ? `${cell.slice(0, 79)}…` : cell)));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  printLine(format(cells[0]));
  printLine(format(widths.map((width) => '-'.repeat(width))));
  for (const row of cells.slice(1)) printLine(format(row));
}

/** 1500 → "1.5s", 95000 → "1m 35s", 7_260_000 → "2h 1m". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m ${Math.floor((ms % 60_000) / 1000)}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

// The header row of a data table: one column heading per column, numeric ones
// aligned like their cells.
import type { ComponentChildren } from 'preact';

export interface Column {
  label: ComponentChildren;
  numeric?: boolean;
}

/** A column heading; `num(…)` for the right-aligned ones. */
export const num = (label: ComponentChildren): Column => ({ label, numeric: true });

export function TableHead({ columns }: { columns: (string | Column)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column, i) => {
          const { label, numeric } = typeof column === 'string' ? { label: column, numeric: false } : column;
          return (
            <th key={i} scope="col" class={numeric ? 'num' : undefined}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

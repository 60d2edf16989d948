/** A list as a table: one header row of column names, one row per item, or the empty state when there are none. */
import type { ReactNode } from 'react';

export function DataTable<T>(props: {
  label: string;
  columns: readonly string[];
  /** Adds a last column, titled "Actions" for screen readers only, for the rows' buttons. */
  actions?: boolean;
  className?: string;
  /** Nothing is shown while undefined (loading or failed). */
  rows: readonly T[] | undefined;
  /** Shown instead of the table when there are no rows; without it the table shows with its header only. */
  empty?: ReactNode;
  /** Wraps the table in a horizontally scrolling box. */
  scroll?: boolean;
  /** One <tr> (with its key) per item. */
  children: (row: T) => ReactNode;
}) {
  const { rows } = props;
  if (!rows) return null;
  if (rows.length === 0 && props.empty) return props.empty;
  const table = (
    <table className={props.className ?? 'table'} aria-label={props.label}>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th scope="col" key={c}>
              {c}
            </th>
          ))}
          {props.actions && (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{rows.map((row) => props.children(row))}</tbody>
    </table>
  );
  return props.scroll ? <div className="scroll-x">{table}</div> : table;
}

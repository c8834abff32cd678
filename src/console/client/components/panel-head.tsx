import { words } from '../format.js';

type Filter = { label: string; value: string; options: readonly string[]; onChange: (value: string) => void };

/** A panel's title with an optional filter ("all" or one of the API's values, shown as words). */
export function PanelHead({ id, title, filter }: { id: string; title: string; filter?: Filter }) {
  return (
    <div class="panel-head">
      <h2 id={id}>{title}</h2>
      {filter ? (
        <label>
          {filter.label}{' '}
          <select value={filter.value} onChange={(e) => filter.onChange(e.currentTarget.value)}>
            <option value="">all</option>
            {filter.options.map((o) => (
              <option key={o} value={o}>
                {words(o)}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </div>
  );
}

/** A table's column headings; `num` right-aligns a column of figures. */
export function ColumnHeads({ columns }: { columns: readonly (string | [string, 'num'])[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === 'string' ? (
            <th scope="col" key={c}>
              {c}
            </th>
          ) : (
            <th scope="col" key={c[0]} class="num">
              {c[0]}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

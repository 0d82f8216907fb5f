// Table headers: plain column labels, and the unlabelled column that holds row actions
// (named for screen readers only).
export function ActionsHead(props: { label?: string }) {
  return (
    <th scope="col">
      <span class="visually-hidden">{props.label ?? "Actions"}</span>
    </th>
  );
}

export function TableHead(props: { columns: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {props.actions ? <ActionsHead /> : null}
      </tr>
    </thead>
  );
}

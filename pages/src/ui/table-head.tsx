// Table headers: plain column labels, and the unlabelled column that holds row actions
// (named for screen readers only).
export function ActionsHead(props: { label?: string }) {
  return (
    <th scope="col">
      <span class="visually-hidden">{props.label ?? "Actions"}</span>
    </th>
  );
}

/** `actions`: an actions column, named "Actions" for screen readers, or by the string given. */
export function TableHead(props: { columns: readonly string[]; actions?: boolean | string }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {props.actions ? (
          <ActionsHead {...(typeof props.actions === "string" ? { label: props.actions } : {})} />
        ) : null}
      </tr>
    </thead>
  );
}

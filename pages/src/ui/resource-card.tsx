// A card for one named thing on a list page (a proxy, an MCP server or gateway): its name as
// the region's heading with badges beside it, actions on the right, then its details. Also the
// Edit / Delete buttons such cards and table rows carry.
import type { ComponentChildren } from "preact";

export function ResourceCard(props: {
  /** Unique on the page: the heading's id, which names the region. */
  headingId: string;
  class: string;
  title: string;
  badges?: ComponentChildren;
  /** null: no actions block at all. */
  actions: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <section class={`card resource-card ${props.class}`} aria-labelledby={props.headingId}>
      <div class="card-header">
        <div class="row">
          <h2 id={props.headingId}>{props.title}</h2>
          {props.badges}
        </div>
        {props.actions === null ? null : <div class="row">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

/** Edit and Delete for the thing called `name`, each shown only if the role may. */
export function EditDeleteButtons(props: {
  name: string;
  canEdit: boolean;
  canDelete: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <>
      {props.canEdit ? (
        <button
          type="button"
          class="button secondary small"
          aria-label={`Edit ${props.name}`}
          onClick={props.onEdit}
        >
          Edit
        </button>
      ) : null}
      {props.canDelete ? (
        <button
          type="button"
          class="button secondary small danger-text"
          aria-label={`Delete ${props.name}`}
          onClick={props.onDelete}
        >
          Delete
        </button>
      ) : null}
    </>
  );
}

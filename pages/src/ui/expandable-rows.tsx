// Table rows that open to a details row beneath them (the audit and MCP logs): which rows are
// open, the row with its Details/Hide button and details row, and JSON payloads shown inside.
import "./log-list.css";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { CodeBlock } from "./code-block";

export function useOpenRows() {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(open);
    if (!next.delete(id)) next.add(id);
    setOpen(next);
  };
  return { isOpen: (id: string) => open.has(id), toggle };
}

/**
 * A table row whose last cell opens and closes a details row beneath it (`details` is only
 * rendered while open). `name` says what the row is, for the button's name "Details for …".
 */
export function ExpandableRow(props: {
  detailsId: string;
  name: string;
  open: boolean;
  onToggle: () => void;
  /** The number of columns, the button's included: the details row spans them all. */
  colSpan: number;
  details: () => ComponentChildren;
  /** Buttons for the row itself, before its Details button. */
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <>
      <tr class={props.open ? "log-row open" : "log-row"}>
        {props.children}
        <td class="actions">
          {props.actions}
          <button
            type="button"
            class="button secondary small"
            aria-expanded={props.open}
            aria-controls={props.open ? props.detailsId : undefined}
            aria-label={`Details for ${props.name}`}
            onClick={props.onToggle}
          >
            {props.open ? "Hide" : "Details"}
          </button>
        </td>
      </tr>
      {props.open ? (
        <tr class="log-details-row" id={props.detailsId}>
          <td colSpan={props.colSpan}>{props.details()}</td>
        </tr>
      ) : null}
    </>
  );
}

/** A value as readable JSON. */
export const pretty = (value: unknown) => JSON.stringify(value, null, 2) ?? "null";

/** Recorded JSON values side by side (those absent are left out), or `none` if all are. */
export function JsonBlocks(props: { blocks: { label: string; value: unknown }[]; none: string }) {
  const kept = props.blocks.filter((b) => b.value !== null && b.value !== undefined);
  if (kept.length === 0) return <p class="muted">{props.none}</p>;
  return (
    <div class="log-payloads">
      {kept.map((b) => (
        <CodeBlock
          key={b.label}
          label={b.label}
          code={pretty(b.value)}
          copyText={pretty(b.value)}
        />
      ))}
    </div>
  );
}

// Pieces many pages share: a form dialog on the native <dialog>
// (focus trap and Escape come with it), a one-time token display, and field-error lookup.
import "./forms-and-tables.css";
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { CopyButton } from "./copy-button";
import { Card, PageHeader } from "./page";
import { Empty } from "./states";

export function Modal(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class="dialog form-dialog" aria-labelledby={titleId} onClose={props.onClose}>
      <h2 id={titleId}>{props.title}</h2>
      {/* Mounted only while open, so every opening starts with a fresh form. */}
      {props.open ? props.children : null}
    </dialog>
  );
}

/** Cancel and submit buttons at the foot of a dialog form. */
export function FormActions(props: {
  busy: boolean;
  submitLabel: string;
  busyLabel?: string;
  onCancel: () => void;
  disabled?: boolean;
}) {
  return (
    <div class="dialog-actions">
      <button type="button" class="button secondary" onClick={props.onCancel} disabled={props.busy}>
        Cancel
      </button>
      <button type="submit" class="button primary" disabled={props.busy || props.disabled}>
        {props.busy ? (props.busyLabel ?? "Saving…") : props.submitLabel}
      </button>
    </div>
  );
}

/** A secret shown once: wrapped monospace text and a copy button. */
export function TokenDisplay(props: { token: string; label: string }) {
  return (
    <div class="token-display">
      <p class="token-label">{props.label}</p>
      <div class="token-row">
        <code class="token-value" data-testid="token">
          {props.token}
        </code>
        <CopyButton text={props.token} label="Copy key" />
      </div>
    </div>
  );
}

/** The API's message for a field, including nested paths ("allowedModels.2"). */
export function fieldError(fields: Record<string, string>, name: string): string | undefined {
  if (fields[name]) return fields[name];
  const nested = Object.entries(fields).find(([path]) => path.startsWith(`${name}.`));
  return nested?.[1];
}

export function shortDate(ms: number | null | undefined): string {
  if (ms == null) return "—";
  return new Date(ms).toLocaleDateString(undefined, { dateStyle: "medium" });
}

/** Shown instead of a page the signed-in role may not read (reached by its URL). */
export function NoAccess(props: { title: string; permission: string }) {
  return (
    <>
      <PageHeader title={props.title} />
      <Card>
        <Empty
          title="You do not have access to this page"
          action={
            <a class="button secondary" href="/connect">
              Go to Connect
            </a>
          }
        >
          It needs the permission <code>{props.permission}</code>. Ask an admin if you need it.
        </Empty>
      </Card>
    </>
  );
}

// A confirmation step for destructive actions, in the shared Modal (native <dialog>: focus trap
// and Escape come with it). The body mounts only while open, so each opening starts clean.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { errorMessage } from "../lib/api";
import { Modal } from "./modal";
import { Notice } from "./states";

interface ConfirmProps {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

export function ConfirmDialog(props: ConfirmProps) {
  return (
    <Modal open={props.open} title={props.title} onClose={props.onClose}>
      <ConfirmBody {...props} />
    </Modal>
  );
}

function ConfirmBody(props: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div class="dialog-body">{props.children}</div>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <div class="dialog-actions">
        <button type="button" class="button secondary" onClick={props.onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="button danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? "Working…" : props.confirmLabel}
        </button>
      </div>
    </>
  );
}

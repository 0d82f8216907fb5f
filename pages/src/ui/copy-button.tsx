import { useState } from "preact/hooks";

/** Copies text to the clipboard and says so; falls back to selecting nothing silently. */
export function CopyButton(props: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" class="button secondary small" onClick={() => void copy()}>
      <span aria-live="polite">{copied ? "Copied" : (props.label ?? "Copy")}</span>
    </button>
  );
}

// The three states every page has besides "ready": loading, empty and failed.
import type { ComponentChildren } from "preact";

export function Loading(props: { label?: string; fullPage?: boolean }) {
  return (
    <div class={`state ${props.fullPage ? "full-page" : ""}`} role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{props.label ?? "Loading…"}</span>
    </div>
  );
}

export function Empty(props: {
  title: string;
  children?: ComponentChildren;
  action?: ComponentChildren;
}) {
  return (
    <div class="state empty">
      <p class="state-title">{props.title}</p>
      {props.children ? <div class="state-body">{props.children}</div> : null}
      {props.action}
    </div>
  );
}

export function ErrorState(props: { message: string; onRetry?: () => void; fullPage?: boolean }) {
  return (
    <div class={`state error ${props.fullPage ? "full-page" : ""}`} role="alert">
      <p class="state-title">That did not work</p>
      <p class="state-body">{props.message}</p>
      {props.onRetry ? (
        <button type="button" class="button secondary" onClick={props.onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** An inline message under a form or beside an action. */
export function Notice(props: {
  tone: "error" | "warning" | "info" | "success";
  children: ComponentChildren;
}) {
  return (
    <div class={`notice ${props.tone}`} role={props.tone === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

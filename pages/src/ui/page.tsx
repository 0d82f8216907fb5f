// Page furniture: the title block and cards.
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";

export function PageHeader(props: {
  title: string;
  description?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${props.title} · Gatehouse`;
  }, [props.title]);
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.description ? <p class="lead">{props.description}</p> : null}
      </div>
      {props.actions ? <div class="page-actions">{props.actions}</div> : null}
    </header>
  );
}

export function Card(props: {
  title?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card ${props.class ?? ""}`}>
      {props.title || props.actions ? (
        <div class="card-header">
          {props.title ? <h2>{props.title}</h2> : <span />}
          {props.actions}
        </div>
      ) : null}
      {props.children}
    </section>
  );
}

export function Badge(props: {
  tone?: "neutral" | "good" | "warn" | "bad" | "info";
  children: ComponentChildren;
}) {
  return <span class={`badge ${props.tone ?? "neutral"}`}>{props.children}</span>;
}

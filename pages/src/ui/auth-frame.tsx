// The centred card that first-run and sign-in pages sit in.
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { Logo } from "./logo";

export function AuthFrame(props: {
  title: string;
  lead: ComponentChildren;
  children: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${props.title} · Gatehouse`;
  }, [props.title]);
  return (
    <main class="auth-page">
      <div class="auth-card">
        <div class="auth-brand">
          <Logo />
          <span>Gatehouse</span>
        </div>
        <h1>{props.title}</h1>
        <p class="lead">{props.lead}</p>
        {props.children}
      </div>
      <p class="auth-footer">Every model call and tool call, attributed, budgeted and logged.</p>
    </main>
  );
}

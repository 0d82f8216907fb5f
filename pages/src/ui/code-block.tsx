import { CopyButton } from "./copy-button";

/** Preformatted text (JSON, shell, settings) with a copy button for the given text. */
export function CodeBlock(props: { code: string; copyText?: string; label: string }) {
  return (
    <figure class="code-block">
      <figcaption>
        <span>{props.label}</span>
        {props.copyText !== undefined ? <CopyButton text={props.copyText} /> : null}
      </figcaption>
      <pre>
        <code>{props.code}</code>
      </pre>
    </figure>
  );
}

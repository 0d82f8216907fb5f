// The dead letters as the Telemetry page shows them: newest first in cursor pages, with the
// total the API counts, and what the admin does to them (retry one or all, discard one) with
// each action's progress and outcome.
import { useState } from "preact/hooks";
import type {
  AllDeadLettersRetried,
  DeadLetterPage,
  DeadLetterView,
} from "../../../../shared/api-types";
import { api, errorMessage } from "../../lib/api";
import { announceDeadLetterTotal } from "../../lib/dead-letter-total";
import { useCursorPages } from "../../lib/use-cursor-pages";

const PAGE_SIZE = 50;

export const deadLetterPath = (id: string) => `/telemetry/dead-letters/${encodeURIComponent(id)}`;

export function useDeadLetters() {
  const [total, setTotal] = useState<number | null>(null);
  const { list, reload, loadMore } = useCursorPages<DeadLetterView>(
    (cursor) =>
      api
        .get<DeadLetterPage>("/telemetry/dead-letters", { limit: PAGE_SIZE, cursor })
        .then((page) => {
          setTotal(page.total);
          announceDeadLetterTotal(page.total);
          return page;
        }),
    "dead-letters",
  );
  return { list, total, reload, loadMore };
}

export interface Outcome {
  tone: "success" | "error" | "info";
  text: string;
}

/** Retrying and discarding; `reload` reads the list again once something changed. */
export function useDeadLetterActions(reload: () => void) {
  /** Rows being sent, and rows sent (shown as such until the list is read again). */
  const [sending, setSending] = useState<ReadonlySet<string>>(new Set());
  const [sent, setSent] = useState<ReadonlySet<string>>(new Set());
  const [retryingAll, setRetryingAll] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const without = (set: ReadonlySet<string>, id: string) =>
    new Set([...set].filter((x) => x !== id));

  const retry = async (letter: DeadLetterView) => {
    setSending((s) => new Set([...s, letter.id]));
    setOutcome(null);
    try {
      await api.post(`${deadLetterPath(letter.id)}/retry`);
      setSent((s) => new Set([...s, letter.id]));
      setOutcome({
        tone: "success",
        text: `Sent again: ${letter.summary}. It shows in the logs within seconds; if it still cannot be stored, it comes back here with the reason.`,
      });
      reload();
    } catch (err) {
      setOutcome({ tone: "error", text: `Not retried: ${errorMessage(err)}` });
    } finally {
      setSending((s) => without(s, letter.id));
    }
  };

  const retryAll = async () => {
    setRetryingAll(true);
    setOutcome(null);
    try {
      const { retried, remaining } = await api.post<AllDeadLettersRetried>(
        "/telemetry/dead-letter-retries",
      );
      const sentText =
        retried === 0
          ? "Nothing was waiting."
          : `Sent ${retried} ${retried === 1 ? "message" : "messages"} again.`;
      const more = remaining > 0 ? ` ${remaining} more are waiting: use Retry all again.` : "";
      setOutcome({ tone: "success", text: sentText + more });
      reload();
    } catch (err) {
      setOutcome({ tone: "error", text: `Not retried: ${errorMessage(err)}` });
      // Some may have been sent before the queue refused: show what is left.
      reload();
    } finally {
      setRetryingAll(false);
    }
  };

  const discard = async (letter: DeadLetterView) => {
    await api.delete(deadLetterPath(letter.id));
    setOutcome({ tone: "info", text: `Discarded: ${letter.summary}.` });
    reload();
  };

  return {
    retry,
    retryAll,
    discard,
    retryingAll,
    outcome,
    stateOf: (id: string): "idle" | "sending" | "sent" =>
      sending.has(id) ? "sending" : sent.has(id) ? "sent" : "idle",
  };
}

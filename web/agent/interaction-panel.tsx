/**
 * One interaction being worked: its toolbar (Push URL, Transfer, Conference, Place in queue,
 * Place in workbin, Complete), for a chat the transcript, typing indicator and composer, and the
 * case data; the customer panel beside it. Open media has no chat parts.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { CaseData } from "./case-data.tsx";
import { Composer } from "./composer.tsx";
import { CustomerPanel } from "./customer-panel.tsx";
import { AgentDialog, pushUrlDialog, queueDialog, workbinDialog } from "./dialogs.tsx";
import { customerName, mediaLabel, subject } from "./format.ts";
import { closeEnded, focusRequest, operate, user, type WorkItem } from "./store.ts";
import { panelId, tabId } from "./tabs.tsx";
import { Transcript } from "./transcript.tsx";

type DialogKind = "push" | "Transfer" | "Conference" | "queue" | "workbin";

export function InteractionPanel({ item }: { item: WorkItem }) {
  const ix = item.interaction;
  const dialog = useSignal<DialogKind | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const isChat = ix.mediaType === "chat";
  const me = user.value?.id;
  const owner = ix.ownerId === me;
  const conferenced = ix.participants.length > 1;
  const close = () => (dialog.value = null);
  const ended = item.ended;
  const pending = item.pending;
  const customerLeft = item.messages.some((m) => m.type === "ParticipantLeft" && m.from.type === "Customer");

  useEffect(() => {
    if (!isChat && focusRequest.value === ix.id) {
      heading.current?.focus();
      focusRequest.value = null;
    }
  }, [ix.id, focusRequest.value]);

  return (
    <div class="work" role="tabpanel" id={panelId(ix.id)} aria-labelledby={tabId(ix.id)}>
      <section class="center" aria-labelledby={`title-${ix.id}`}>
        <header class="work-head">
          <h2 id={`title-${ix.id}`} ref={heading} tabIndex={-1}>
            {customerName(ix)} <span class="muted">· {mediaLabel(ix.mediaType)}</span>
          </h2>
          <p class="muted">
            Queue {ix.queue}
            {subject(ix) !== null && <> · {subject(ix)}</>}
          </p>
        </header>
        {ended && (
          <div class="ended-notice">
            <p role="status">{isChat && customerLeft ? "The customer left the chat. " : ""}This interaction has ended; nothing more can be sent.</p>
            <button type="button" class="primary" onClick={() => closeEnded(ix.id)}>
              Close
            </button>
          </div>
        )}
        {pending !== null && (
          <p class="pending" role="status">
            Waiting for {pending.name} to accept the {pending.kind === "Transfer" ? "transfer" : "conference"}…
          </p>
        )}
        {!ended && (
          <div class="toolbar" role="toolbar" aria-label="Actions">
            {isChat && (
              <button type="button" onClick={() => (dialog.value = "push")}>
                Push URL
              </button>
            )}
            {owner && (
              <>
                <button type="button" disabled={pending !== null} onClick={() => (dialog.value = "Transfer")}>
                  Transfer
                </button>
                <button type="button" disabled={pending !== null} onClick={() => (dialog.value = "Conference")}>
                  Conference
                </button>
              </>
            )}
            {conferenced &&
              (owner ? (
                <button type="button" onClick={() => void operate(ix.id, { operationName: "EndConference" }, "End conference")}>
                  End conference
                </button>
              ) : (
                <button type="button" onClick={() => void operate(ix.id, { operationName: "LeaveConference" }, "Leave conference")}>
                  Leave conference
                </button>
              ))}
            {owner && (
              <>
                <button type="button" onClick={() => (dialog.value = "queue")}>
                  Place in queue
                </button>
                <button type="button" onClick={() => (dialog.value = "workbin")}>
                  Place in workbin
                </button>
              </>
            )}
            <button type="button" class="complete" onClick={() => void operate(ix.id, { operationName: "StopProcessing" }, "Complete")}>
              Complete
            </button>
          </div>
        )}
        {isChat && (
          <>
            <Transcript interactionId={ix.id} messages={item.messages} label={`Chat with ${customerName(ix)}`} />
            {!ended && (
              <>
                <p class="typing" aria-live="polite">
                  {item.typing !== null ? `${item.typing} is typing…` : ""}
                </p>
                <Composer id={ix.id} />
              </>
            )}
          </>
        )}
        {!isChat && !ended && <CaseData interaction={ix} />}
      </section>
      <div class="side">
        {isChat && !ended && <CaseData interaction={ix} />}
        <CustomerPanel interaction={ix} />
      </div>
      {dialog.value === "push" && pushUrlDialog(ix.id, close)}
      {(dialog.value === "Transfer" || dialog.value === "Conference") && <AgentDialog id={ix.id} kind={dialog.value} onClose={close} />}
      {dialog.value === "queue" && queueDialog(ix.id, close)}
      {dialog.value === "workbin" && workbinDialog(ix.id, close)}
    </div>
  );
}

/** The customer widget: a header, then the start form or the chat, as the store's phase says. */
import { ChatIcon } from "./ChatIcon.tsx";
import { ConnectionBanner, ErrorMessage, TypingIndicator, WaitingNotice } from "./Status.tsx";
import { Composer } from "./Composer.tsx";
import { StartForm } from "./StartForm.tsx";
import type { ChatStore } from "./store.ts";
import { Transcript } from "./Transcript.tsx";

export function Widget({ store, headingLevel = 1, focusStart = false }: { store: ChatStore; headingLevel?: 1 | 2; focusStart?: boolean }) {
  const phase = store.phase.value;
  const Heading = headingLevel === 1 ? "h1" : "h2";
  return (
    <section class="pw-widget" aria-labelledby="pw-title">
      <header class="pw-header">
        <ChatIcon />
        <div>
          <Heading id="pw-title" class="pw-title">
            Chat with us
          </Heading>
          <p class="pw-subtitle">We usually answer in a few minutes</p>
        </div>
      </header>
      <ConnectionBanner store={store} />
      {phase === "start" || phase === "starting" ? (
        <div class="pw-body">
          <ErrorMessage store={store} />
          <StartForm store={store} focus={focusStart} />
        </div>
      ) : (
        <div class="pw-body pw-chat">
          <WaitingNotice store={store} />
          <Transcript store={store} />
          <TypingIndicator store={store} />
          <ErrorMessage store={store} />
          {phase === "ended" ? (
            <div class="pw-ended">
              <p>The chat has ended. Thank you!</p>
              <button class="pw-primary" type="button" onClick={() => store.newChat()}>
                Start a new chat
              </button>
            </div>
          ) : phase === "waiting" ? (
            <div class="pw-actions">
              <button class="pw-secondary" type="button" onClick={() => void store.end()}>
                End chat
              </button>
            </div>
          ) : (
            <Composer store={store} />
          )}
        </div>
      )}
    </section>
  );
}

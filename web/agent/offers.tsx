/**
 * Offers waiting for an answer (routing offers, transfers, conference invitations): media,
 * queue, subject and the time left, with Accept and Reject. While any wait, the page title
 * counts them (a chime plays when one arrives: store.ts).
 */
import { useEffect } from "preact/hooks";
import { clock, customerName, mediaLabel, subject } from "./format.ts";
import { focusRequest, now, offers, operate, select } from "./store.ts";

const TITLE = "parley agent desktop";

export function Offers() {
  const list = offers.value;
  useEffect(() => {
    const first = list[0]?.interaction;
    document.title = first === undefined ? TITLE : `(${list.length}) New ${mediaLabel(first.mediaType)} – parley`;
  }, [list]);
  if (list.length === 0) return null;
  return (
    <section class="offers" aria-label="Offers">
      {list.map(({ interaction: ix }) => {
        const expires = ix.offerExpiresAt === undefined ? null : Date.parse(ix.offerExpiresAt) - now.value;
        const kind = ix.state === "InvitedConference" ? "Conference invitation" : `New ${mediaLabel(ix.mediaType)}`;
        const headingId = `offer-${ix.id}`;
        return (
          <article key={ix.id} class="offer" aria-labelledby={headingId}>
            <h2 id={headingId}>
              {kind}: {customerName(ix)}
            </h2>
            <dl class="facts">
              <dt>Media</dt>
              <dd>{mediaLabel(ix.mediaType)}</dd>
              <dt>Queue</dt>
              <dd>{ix.queue}</dd>
              {subject(ix) !== null && (
                <>
                  <dt>Subject</dt>
                  <dd>{subject(ix)}</dd>
                </>
              )}
              {expires !== null && (
                <>
                  <dt>Time left</dt>
                  <dd class="countdown">{clock(expires)}</dd>
                </>
              )}
            </dl>
            <div class="actions">
              <button
                type="button"
                class="primary"
                onClick={async () => {
                  if (await operate(ix.id, { operationName: "Accept" })) {
                    focusRequest.value = ix.id;
                    select(ix.id);
                  }
                }}
              >
                Accept
              </button>
              <button type="button" onClick={() => void operate(ix.id, { operationName: "Reject" })}>
                Reject
              </button>
            </div>
          </article>
        );
      })}
    </section>
  );
}

/** The interactions being worked, as tabs (arrow keys, Home and End move between them), each with its unread count. */
import { customerName, mediaLabel } from "./format.ts";
import { active, readySomewhere, select, selected } from "./store.ts";

export const tabId = (id: string) => `tab-${id}`;
export const panelId = (id: string) => `panel-${id}`;

export function InteractionTabs() {
  const list = active.value;
  const current = selected.value?.interaction.id;
  if (list.length === 0) return <p class="empty">{readySomewhere.value ? "No open interactions." : "No interactions. Go Ready to receive some."}</p>;
  const onKeyDown = (e: KeyboardEvent) => {
    const index = list.findIndex((w) => w.interaction.id === current);
    let next = index;
    if (e.key === "ArrowDown" || e.key === "ArrowRight") next = (index + 1) % list.length;
    else if (e.key === "ArrowUp" || e.key === "ArrowLeft") next = (index - 1 + list.length) % list.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = list.length - 1;
    else return;
    e.preventDefault();
    const target = list[next];
    if (target === undefined) return;
    select(target.interaction.id);
    document.getElementById(tabId(target.interaction.id))?.focus();
  };
  return (
    <div role="tablist" aria-label="Interactions" aria-orientation="vertical" class="tabs" onKeyDown={onKeyDown}>
      {list.map(({ interaction: ix, unread, ended }) => {
        const isCurrent = ix.id === current;
        return (
          <button
            key={ix.id}
            type="button"
            role="tab"
            id={tabId(ix.id)}
            aria-selected={isCurrent}
            aria-controls={panelId(ix.id)}
            tabIndex={isCurrent ? 0 : -1}
            class={ended ? "tab ended" : "tab"}
            onClick={() => select(ix.id)}
          >
            <span class="tab-name">{customerName(ix)}</span>
            <span class="tab-media">
              {mediaLabel(ix.mediaType)}
              {ended && " · ended"}
            </span>
            {unread > 0 && (
              <span class="unread">
                {unread}
                <span class="visually-hidden"> unread</span>
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}

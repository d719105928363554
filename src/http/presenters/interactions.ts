/**
 * History interactions as seed 002 shows them: dates in ISO 8601, content as URLs
 * (`text`, `structured_text`, `binary_content`) that the client GETs separately.
 */
import type { HistoryEntry as Interaction } from "../../domain/history.ts";
import type { JsonObject } from "../../domain/json.ts";

export function presentInteraction(i: Interaction, interactionsUrl: string): JsonObject {
  const url = `${interactionsUrl}/${encodeURIComponent(i.id)}`;
  const out: JsonObject = {
    interaction_id: i.id,
    media_type: i.mediaType,
    type: i.type,
    status: i.status,
    entity_type: i.entityType,
    start_date: iso(i.startDate),
    udata: i.udata,
  };
  const optional: JsonObject = {
    customer_id: i.customerId,
    sub_type: i.subType,
    subject: i.subject,
    thread_id: i.threadId,
    external_id: i.externalId,
    owner_id: i.ownerId,
    creator_app_id: i.creatorAppId,
    end_date: isoOrNull(i.endDate),
    established_date: isoOrNull(i.establishedDate),
    released_date: isoOrNull(i.releasedDate),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== null) out[key] = value;
  if (i.contents.includes("plain_text")) out.text = `${url}/plain_text`;
  if (i.contents.includes("structured_text")) {
    out.structured_text = `${url}/structured_text`;
    out.structured_text_mime = i.structuredTextMime ?? "text/xml";
  }
  if (i.contents.includes("binary_content")) out.binary_content = `${url}/binary_content`;
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/**
 * Contact history: an interaction that has reached UCS (seed 002), one entry per interaction that
 * ended. Chat and other media record one when they end; Context Services reads them back (its
 * URLs call them interactions). Pure types and rules; no I/O.
 */
import { randomBytes } from "node:crypto";
import type { JsonObject } from "./json.ts";

/** UCS `status`: 0 NEW, 1 PENDING, 2 IN_PROCESS, 3 STOPPED. */
type HistoryStatus = 0 | 1 | 2 | 3;
/** UCS `entity_type`: 0 EMAIL_IN, 1 EMAIL_OUT, 2 CHAT, 3 PHONE_CALL, 5 CALLBACK, 6 COBROWSE, 7 open media. */
export type EntityType = 0 | 1 | 2 | 3 | 5 | 6 | 7;

/** One entry of the contact history: an ended interaction as UCS keeps it. */
export interface HistoryEntry {
  id: string;
  customerId: string | null;
  serviceId: string | null;
  mediaType: string;
  type: string;
  subType: string | null;
  status: HistoryStatus;
  entityType: EntityType;
  subject: string | null;
  threadId: string | null;
  externalId: string | null;
  ownerId: number | null;
  creatorAppId: number | null;
  startDate: number;
  endDate: number | null;
  /** Chat only. */
  establishedDate: number | null;
  releasedDate: number | null;
  /** Attached data, as routing and the media left it. */
  udata: JsonObject;
  /** Which content URLs serve something; the content itself is never inside the resource. */
  contents: HistoryContentKind[];
  /** The type of the structured text (`text/xml` for chat transcripts). */
  structuredTextMime: string | null;
}

export type HistoryContentKind = "plain_text" | "structured_text" | "binary_content";

export interface HistoryContent {
  plainText: string | null;
  /** The chat transcript as XML, for instance. */
  structuredText: string | null;
  structuredTextMime: string | null;
  binaryContent: Uint8Array | null;
  binaryContentMime: string | null;
}

/** What recording a history entry stores: the resource and its content. */
export interface NewHistoryEntry extends Omit<HistoryEntry, "contents" | "structuredTextMime"> {
  content: HistoryContent;
}

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A 16-character opaque id like UCS's (`00001a57JGQ00BW8`); random, so unique across nodes. */
export function newUcsId(): string {
  const bytes = randomBytes(16);
  let id = "";
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

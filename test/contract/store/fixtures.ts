/** What the store contract's files share: a fixed time, and a new service and contact history entry to adjust. */
import type { NewHistoryEntry } from "../../../src/domain/history.ts";
import type { NewService } from "../../../src/store/store.ts";

export const T0 = Date.parse("2026-01-01T00:00:00.000Z");

export function newService(overrides: Partial<NewService> = {}): NewService {
  return {
    customerId: "C1",
    contactKey: null,
    type: "support",
    started: { timestamp: new Date(T0).toISOString() },
    extensions: {},
    startedAt: T0,
    updatedAt: T0,
    autoCompleteAfter: null,
    expiresAt: T0 + 86_400_000,
    expiryPinned: false,
    ...overrides,
  };
}

export function newInteraction(id: string, overrides: Partial<NewHistoryEntry> = {}): NewHistoryEntry {
  return {
    id,
    customerId: "C1",
    serviceId: null,
    mediaType: "chat",
    type: "Inbound",
    subType: null,
    status: 3,
    entityType: 2,
    subject: null,
    threadId: null,
    externalId: null,
    ownerId: null,
    creatorAppId: null,
    startDate: T0,
    endDate: null,
    establishedDate: null,
    releasedDate: null,
    udata: {},
    content: { plainText: null, structuredText: null, structuredTextMime: null, binaryContent: null, binaryContentMime: null },
    ...overrides,
  };
}

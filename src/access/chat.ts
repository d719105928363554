/**
 * Who may use a chat service (spec decision 5): the service id is a capability, and a service
 * created by a gms_user belongs to that user: any other caller, with another gms_user or with
 * none, gets 403. Used by every Chat API route; the gms_user was proven by the transport.
 */
import { timingSafeEqual } from "node:crypto";
import { hasChat, type ChatService, type OpenChatService } from "../domain/chat.ts";
import { AppError, forbidden, notFound } from "../domain/errors.ts";
import type { Store } from "../store/store.ts";

export async function accessChatService(store: Store, id: string, gmsUser: string | null, options: { lock?: boolean } = {}): Promise<ChatService> {
  const service = await store.chats.get(id, options);
  // A Chat API v2 chat is reached by its secureKey only: its service id is no capability (agents see it).
  if (service === null || service.chat?.api === 2) throw notFound(`There is no service ${id}`);
  if (service.gmsUser !== null && service.gmsUser !== gmsUser) throw forbidden(`service ${id} belongs to another gms_user`);
  return service;
}

/** What a Chat API v2 request names its chat by: `secureKey` always; `chatId` and `userId` when the client sends them. */
export interface ChatV2Key {
  chatId: string | null;
  secureKey: string | null;
  userId: string | null;
}

/**
 * Who may use a Chat API v2 chat (spec §3.2, §6.2): whoever holds its secureKey (128 random
 * bits), and when they also name the chat or its customer, those must match. No such chat: 404;
 * a key that is not this chat's: forbidden, code 401 (both as v2 answers them: HTTP 200, chat ended).
 */
export async function accessChatV2(store: Store, key: ChatV2Key, options: { lock?: boolean } = {}): Promise<OpenChatService> {
  if (key.secureKey === null) throw new AppError("forbidden", "secureKey: required", { apiCode: 401 });
  const service = key.chatId === null ? await store.chats.bySecureKey(key.secureKey, options) : await store.chats.byInteraction(key.chatId, options);
  if (service === null || !hasChat(service) || service.chat.api !== 2) throw new AppError("not_found", "chat not found or expired", { apiCode: 404 });
  if (!sameSecret(service.chat.secureKey, key.secureKey) || (key.userId !== null && key.userId !== service.chat.userId)) {
    throw new AppError("forbidden", "not authorised for this chat (secureKey or userId)", { apiCode: 401 });
  }
  return service;
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

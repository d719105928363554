/**
 * Who may use a chat service (spec decision 5): the service id is a capability, and a service
 * created by a gms_user belongs to that user: any other caller, with another gms_user or with
 * none, gets 403. Used by every Chat API route; the gms_user was proven by the transport.
 */
import type { ChatService } from "../domain/chat.ts";
import { forbidden, notFound } from "../domain/errors.ts";
import type { Store } from "../store/store.ts";

export async function accessChatService(store: Store, id: string, gmsUser: string | null, options: { lock?: boolean } = {}): Promise<ChatService> {
  const service = await store.chats.get(id, options);
  if (service === null) throw notFound(`There is no service ${id}`);
  if (service.gmsUser !== null && service.gmsUser !== gmsUser) throw forbidden(`service ${id} belongs to another gms_user`);
  return service;
}

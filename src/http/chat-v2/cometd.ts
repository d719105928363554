/**
 * The Chat API v2 over CometD (spec §6): requests published on `/service/chatV2/<service>` on
 * the customer endpoint, results delivered to the publishing client on that channel without a
 * subscription. The chat's secureKey is the credential (no gms_user: §12 Q1); every client that
 * used a chat joins its topic and gets its pushes from then on (§6.4; after-commit.ts sends
 * them). Refusals are data messages with `statusCode` and `errors` (§6.3 rule 5): Widgets
 * ignores publish acknowledgements and iOS only logs them.
 */
import { v2Authorized } from "../../access/chat-v2-keys.ts";
import { chatV2Operation, requestChatV2 } from "../../actions/chat-v2.ts";
import type { ActionContext } from "../../actions/context.ts";
import type { BayeuxEngine } from "../../bayeux/engine.ts";
import type { Session } from "../../bayeux/session.ts";
import type { ChatService, OpenChatService } from "../../domain/chat.ts";
import { AppError } from "../../domain/errors.ts";
import type { Logger } from "../../logger.ts";
import { chatTopic } from "../../wire/chat-v2.ts";
import { toV2Error } from "./errors.ts";
import { chatKeyOf, chatRequestOf, cometFields, operationName, operationOf, positionOf, type V2Fields } from "./requests.ts";

type Engine = Pick<BayeuxEngine, "onService" | "joinTopic" | "deliverTo" | "hasTopic" | "hasClient">;

/** Operations whose result goes back to the client: the others' events reach it as pushes. */
const ANSWERED = new Set(["requestChat", "requestNotifications", "refresh", "readReceipt", "updateData", "disconnect"]);

export function serveChatV2OverCometd(engine: Engine, ctx: ActionContext, apiKeys: readonly string[], logger: Logger): void {
  engine.onService("customer", "/service/chatV2/*", async (session, data, channel) => {
    const reply = (envelope: unknown) => engine.deliverTo(session, channel, envelope);
    try {
      if (typeof data !== "object" || data === null || Array.isArray(data)) throw new AppError("invalid_input", "data: an object with an operation");
      const fields = cometFields(data as Record<string, unknown>);
      if (!v2Authorized(apiKeys, credentialsOf(data as Record<string, unknown>)))
        throw new AppError("unauthenticated", "credentials required (auth)", { apiCode: 401 });
      const requested = fields.get("operation") ?? "";
      if (requested === "requestChat") {
        const envelope = await requestChatV2(ctx, channel.slice("/service/chatV2/".length), { address: session.ip }, chatRequestOf(fields), "comet");
        if (envelope.chatId !== undefined) engine.joinTopic(session, chatTopic(envelope.chatId));
        reply(envelope);
        return;
      }
      const envelope = await operate(engine, ctx, session, requested, fields);
      // A refusal is always answered; a success only where no push carries it, or where the
      // client named its message (a retry adds nothing, so no push would tell it its message's index).
      if (ANSWERED.has(requested) || envelope.statusCode !== 0 || envelope.clientMessageId !== undefined) reply(envelope);
    } catch (err) {
      const error = toV2Error(err);
      if (error.serverFault) logger.error({ err }, "chat v2 CometD request failed");
      reply(error.body);
    }
  });
}

async function operate(engine: Engine, ctx: ActionContext, session: Session, requested: string, fields: V2Fields) {
  const name = operationName(requested);
  if (name === null) throw new AppError("invalid_input", `operation: unknown (${requested.slice(0, 64)})`);
  const join = (service: OpenChatService) => engine.joinTopic(session, chatTopic(service.chat.interactionId));
  return chatV2Operation(ctx, chatKeyOf(fields, null), operationOf(name, fields), positionOf(fields), join);
}

/** iOS: `auth.encoded` (base64 of user:password); RB: `auth.password`. */
function credentialsOf(data: Record<string, unknown>) {
  const auth = typeof data.auth === "object" && data.auth !== null ? (data.auth as Record<string, unknown>) : {};
  return {
    apiKeys: [],
    authorization: typeof auth.encoded === "string" ? `Basic ${auth.encoded}` : undefined,
    password: typeof auth.password === "string" ? auth.password : undefined,
  };
}

/** Whether a chat's customer has a CometD client on this node (a present customer's chat is not silent). */
export function customerPresent(engine: Pick<BayeuxEngine, "hasTopic" | "hasClient">, service: ChatService): boolean {
  if (service.chat?.api === 2) return engine.hasTopic("customer", chatTopic(service.chat.interactionId));
  return service.gmsUser !== null && engine.hasClient("customer", service.gmsUser);
}

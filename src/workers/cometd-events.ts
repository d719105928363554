/**
 * What the server does when CometD clients come and go, on the engine's events: an agent who
 * handshakes here is present at once (workers/presence.ts), an agent whose last client is gone is
 * made NotReady, their presence removed, and their offers go to someone else; a customer's app that
 * says in its /meta/disconnect that it goes to the background is marked away; an agent revoked on
 * any node has their verified credentials forgotten here too (the engine relays revokes); a
 * client that handshakes is sent what it may have missed (actions/resume.ts).
 */
import type { AgentAuthentication } from "../access/authentication.ts";
import { presenceLost } from "../actions/agent-state.ts";
import { chatsAway, customerAway } from "../actions/chat.ts";
import type { ActionContext } from "../actions/context.ts";
import { resumeAgent, resumeCustomer } from "../actions/resume.ts";
import { withdrawOffers } from "../actions/routing.ts";
import type { BayeuxEngine } from "../bayeux/engine.ts";
import type { Logger } from "../logger.ts";
import { chatOfTopic } from "../wire/chat-v2.ts";
import type { PresenceWorker } from "./presence.ts";

const isString = (value: string | null): value is string => value !== null;

/** The engine's events this module follows. */
type CometdEvents = Pick<BayeuxEngine, "onLastClientGone" | "onDisconnect" | "onRevoke" | "onHandshake">;

/** Registers the handlers; call before the engine starts. */
export function followCometdEvents(
  bayeux: CometdEvents,
  ctx: ActionContext,
  authentication: Pick<AgentAuthentication, "forgetUser" | "forgetCredentials">,
  presence: Pick<PresenceWorker, "arrived" | "departed">,
  logger: Logger,
): void {
  // Presence must not lie: an agent whose last CometD client is gone is made NotReady.
  bayeux.onLastClientGone((endpoint, identity) => {
    if (endpoint !== "agent") return;
    presence
      .departed(identity)
      .then(() => presenceLost(ctx, identity))
      .then(() => withdrawOffers(ctx, identity))
      .catch((err: unknown) => logger.error({ err }, "could not make a departed agent NotReady"));
  });
  // A client that handshakes again may have missed pushes (its node died): it is sent what it needs.
  // An agent's handshake makes them present here at once: one resuming after their node died
  // keeps their chats (workers/presence.ts).
  bayeux.onHandshake((client, ext, send) => {
    if (client.endpoint === "agent") presence.arrived(client.identity);
    const resume = client.endpoint === "agent" ? resumeAgent(ctx, client.identity, send) : resumeCustomer(ctx, client.identity, ext, send);
    resume.catch((err: unknown) => logger.error({ err, endpoint: client.endpoint }, "could not send a new client what it may have missed"));
  });
  // A customer's app going to the background says so in its /meta/disconnect (GMS): a v1 app
  // names its gms_user, a v2 app (anonymous) the chats it used.
  bayeux.onDisconnect((client, ext) => {
    if (client.endpoint !== "customer") return;
    const position = typeof ext === "object" && ext !== null ? (ext as Record<string, unknown>).transcriptPosition : undefined;
    if (position === undefined) return;
    const away =
      client.identity !== null ? customerAway(ctx, client.identity, position) : chatsAway(ctx, client.topics.map(chatOfTopic).filter(isString), position);
    away.catch((err: unknown) => logger.error({ err }, "could not mark a customer away"));
  });
  // A revoked agent's verified credentials are forgotten on every node (the engine relays revokes).
  bayeux.onRevoke((endpoint, identity, credentials) => {
    if (endpoint !== "agent") return;
    if (credentials === undefined) authentication.forgetUser(identity);
    else authentication.forgetCredentials(credentials);
  });
}

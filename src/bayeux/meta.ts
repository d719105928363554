/**
 * One handler per Bayeux channel kind: /meta/handshake, /meta/connect, /meta/subscribe,
 * /meta/unsubscribe, /meta/disconnect, and publishes (service and broadcast channels). Each
 * quotes what the Bayeux 1.0 specification requires of the message and answers as the CometD
 * reference server does.
 */
import type { EndpointPolicy, EngineOps, Item, RequestContext } from "./context.ts";
import {
  ERRORS,
  HANDSHAKE_ADVICE,
  hasTooManySegments,
  MULTIPLE_CLIENTS_INTERVAL_MS,
  FULL_ADVICE,
  NONE_ADVICE,
  isMeta,
  isService,
  isValidChannel,
  isWildcard,
  type ConnectionType,
  type Message,
  type Reply,
} from "./protocol.ts";
import type { Session } from "./session.ts";

/** Channels one client may be subscribed to at once (real clients use a handful). */
const MAX_SUBSCRIPTIONS = 128;

/** Handles one message; synchronous except for a held connect, a service-channel publish and a subscribe the policy looks up. */
export function handleMessage(engine: EngineOps, policy: EndpointPolicy, raw: unknown, ctx: RequestContext): Item[] | Promise<Item[]> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return [{ channel: "/meta/unknown", successful: false, error: ERRORS.badMessage }];
  }
  const message = raw as Message;
  if (typeof message.channel !== "string") return [failure(message, "/meta/unknown", ERRORS.channelMissing)];
  const channel = message.channel;
  switch (channel) {
    case "/meta/handshake":
      return [handshake(engine, policy, message, ctx)];
    case "/meta/connect":
      return connect(engine, policy, message, ctx);
    case "/meta/subscribe":
      return one(subscribe(engine, policy, message, ctx, true));
    case "/meta/unsubscribe":
      return one(subscribe(engine, policy, message, ctx, false));
    case "/meta/disconnect":
      return [disconnect(engine, policy, message, ctx)];
    default:
      if (isMeta(channel)) return [failure(message, channel, ERRORS.unknownMeta(channel))];
      return publish(engine, policy, message, channel, ctx);
  }
}

function one(reply: Reply | Promise<Reply>): Item[] | Promise<Item[]> {
  return reply instanceof Promise ? reply.then((r) => [r]) : [reply];
}

/**
 * /meta/handshake. MUST contain channel, version, supportedConnectionTypes (clients omit the
 * last, as the GMS seed does, and are served). The reply carries the clientId, the connection
 * types, retry advice and, when asked for, `ext.ack` (the acknowledgement extension).
 */
function handshake(engine: EngineOps, policy: EndpointPolicy, message: Message, ctx: RequestContext): Reply {
  const types = message.supportedConnectionTypes;
  const served = policy.connectionTypes;
  if (Array.isArray(types) && !types.some((t) => served.includes(t as ConnectionType))) {
    return { ...failure(message, "/meta/handshake", ERRORS.connectionType(String(types))), supportedConnectionTypes: [...served] };
  }
  const identified = policy.identify(ctx, message);
  if ("refuse" in identified) return { ...failure(message, "/meta/handshake", ERRORS.handshakeDenied(identified.refuse)), advice: NONE_ADVICE };
  const ack = extOf(message).ack === true;
  // Unbound, the client is told the transports where it can prove who it is: the official client follows that list.
  const [identity, advertised] = "unbound" in identified ? [null, identified.unbound] : [identified.identity, served];
  const session = engine.createSession(policy, identity, ack, ctx);
  if (typeof session === "string") return { ...failure(message, "/meta/handshake", ERRORS.handshakeDenied(session)), advice: FULL_ADVICE };
  const reply: Reply = {
    channel: "/meta/handshake",
    version: "1.0",
    minimumVersion: "1.0",
    supportedConnectionTypes: [...advertised],
    clientId: session.id,
    successful: true,
    advice: { reconnect: "retry", interval: 0, timeout: engine.limits.connectTimeoutMs },
  };
  if (ack) reply.ext = { ack: true };
  engine.handshaken(session, message.ext);
  return withId(reply, message);
}

/**
 * /meta/connect. MUST contain clientId and connectionType. The first connect is answered at
 * once (with advice); later ones are held until a message arrives or the timeout passes.
 * A second connect while one is held answers the held one at once and takes its place (so a
 * client that lost its response is never left with two polls).
 */
function connect(engine: EngineOps, policy: EndpointPolicy, message: Message, ctx: RequestContext): Item[] | Promise<Item[]> {
  const session = sessionOf(engine, policy, message, ctx);
  if (session === null) return [unknownClient(message, "/meta/connect")];
  const type = message.connectionType;
  if (typeof type !== "string" || !policy.connectionTypes.includes(type as ConnectionType)) {
    return [failure(message, "/meta/connect", ERRORS.connectionType(String(type)))];
  }
  session.connectionType = ctx.transport;
  // A WebSocket that can push becomes where messages go as they arrive; a long-poll ends that.
  if (ctx.connection?.push !== undefined) session.sink = ctx.connection;
  else if (session.sink !== null) session.losePushes();
  const acked = extOf(message).ack;
  if (typeof acked === "number") session.acknowledge(acked);
  const reply = withId({ channel: "/meta/connect", successful: true }, message);
  if (!session.connected) {
    session.connected = true;
    reply.advice = { reconnect: "retry", interval: 0, timeout: engine.limits.connectTimeoutMs };
    return engine.flush(session, reply);
  }
  engine.answerParked(session);
  if (session.hasPending()) return engine.flush(session, reply);
  if (ctx.browserId !== null && engine.parkedFrom(ctx.browserId) >= engine.limits.maxParkedPerBrowser) {
    reply.advice = { reconnect: "retry", interval: MULTIPLE_CLIENTS_INTERVAL_MS, "multiple-clients": true };
    return engine.flush(session, reply);
  }
  return engine.park(session, reply, ctx);
}

/**
 * /meta/subscribe and /meta/unsubscribe. MUST contain clientId and subscription (one or a list).
 * Synchronous unless the endpoint's policy must look the user up (a supervisor's channel).
 */
function subscribe(engine: EngineOps, policy: EndpointPolicy, message: Message, ctx: RequestContext, on: boolean): Reply | Promise<Reply> {
  const channel = on ? "/meta/subscribe" : "/meta/unsubscribe";
  const session = sessionOf(engine, policy, message, ctx);
  if (session === null) return unknownClient(message, channel);
  const wanted = Array.isArray(message.subscription) ? message.subscription : [message.subscription];
  if (wanted.length === 0 || wanted.length > 64 || !wanted.every((s): s is string => typeof s === "string")) {
    return { ...failure(message, channel, ERRORS.subscriptionMissing), subscription: message.subscription };
  }
  const overLimit = on ? subscriptionLimitError(engine, session, wanted) : null;
  if (overLimit !== null) return { ...failure(message, channel, overLimit), subscription: message.subscription };
  for (const target of wanted) {
    const error = channelError(engine, target);
    if (error !== null) return { ...failure(message, channel, error), subscription: message.subscription };
  }
  const apply = (allowed: readonly boolean[]): Reply => {
    const denied = wanted.find((_, i) => allowed[i] === false);
    if (denied !== undefined) return { ...failure(message, channel, ERRORS.subscriptionDenied(denied)), subscription: message.subscription };
    // The client may have gone, or subscribed to more, while the policy looked its user up.
    if (engine.sessions.get(session.id) !== session) return unknownClient(message, channel);
    const nowOverLimit = on ? subscriptionLimitError(engine, session, wanted) : null;
    if (nowOverLimit !== null) return { ...failure(message, channel, nowOverLimit), subscription: message.subscription };
    for (const target of wanted) {
      if (on) engine.subscribe(session, target);
      else engine.unsubscribeChannel(session, target);
    }
    return withId({ channel, successful: true, clientId: session.id, subscription: message.subscription }, message);
  };
  const checks = wanted.map((target) => (on ? policy.canSubscribe(session, target) : true));
  if (checks.every((c): c is boolean => typeof c === "boolean")) return apply(checks);
  return Promise.all(checks).then(apply, (err: unknown) => {
    engine.logger.warn({ err }, "bayeux subscription check failed");
    return failure(message, channel, `500:${wanted[0] ?? ""}:Subscription check failed`);
  });
}

/** Why subscribing `session` to `wanted` too would take it past its count or bytes of subscriptions; null when it would not. */
function subscriptionLimitError(engine: EngineOps, session: Session, wanted: readonly string[]): string | null {
  const added = wanted.filter((target) => !session.subscriptions.has(target));
  if (session.subscriptions.size + added.length > MAX_SUBSCRIPTIONS) return `403::at most ${MAX_SUBSCRIPTIONS} subscriptions per client`;
  const bytes = added.reduce((sum, target) => sum + target.length, 0);
  if (session.subscriptionBytes + bytes > engine.limits.maxSubscriptionBytes) return ERRORS.subscriptionBytes(engine.limits.maxSubscriptionBytes);
  return null;
}

/** /meta/disconnect. MUST contain clientId. The client is forgotten at once. */
function disconnect(engine: EngineOps, policy: EndpointPolicy, message: Message, ctx: RequestContext): Reply {
  const session = sessionOf(engine, policy, message, ctx);
  if (session === null) return unknownClient(message, "/meta/disconnect");
  engine.destroy(session);
  engine.disconnected(session, message.ext);
  return withId({ channel: "/meta/disconnect", successful: true, clientId: session.id }, message);
}

/**
 * A publish. MUST contain channel and data. Service channels (`/service/**`) go to the server's
 * handler and no one else; broadcast channels only where the endpoint's policy allows.
 */
function publish(engine: EngineOps, policy: EndpointPolicy, message: Message, channel: string, ctx: RequestContext): Item[] | Promise<Item[]> {
  const session = sessionOf(engine, policy, message, ctx);
  if (session === null) return [unknownClient(message, channel)];
  const error = channelError(engine, channel) ?? (isWildcard(channel) ? ERRORS.invalidChannel(channel) : null);
  if (error !== null) return [failure(message, channel, error)];
  if (isService(channel)) return publishToService(engine, policy, session, message, channel);
  if (!policy.canPublish(session, channel)) return [failure(message, channel, ERRORS.publishDenied(channel))];
  engine.publish(policy.name, channel, message.data);
  return [withId({ channel, successful: true }, message)];
}

async function publishToService(engine: EngineOps, policy: EndpointPolicy, session: Session, message: Message, channel: string): Promise<Item[]> {
  const handler = engine.serviceHandler(policy.name, channel);
  try {
    await handler?.(session, message.data, channel);
  } catch (err) {
    engine.logger.warn({ err, channel }, "bayeux service handler failed");
    return [failure(message, channel, `500:${channel}:Service failed`)];
  }
  return [withId({ channel, successful: true }, message)];
}

/** Why a client may not name this channel in a subscribe or publish, or null. */
function channelError(engine: EngineOps, channel: string): string | null {
  const max = engine.limits.maxChannelSegments;
  if (hasTooManySegments(channel, max)) return ERRORS.tooManySegments(channel.slice(0, 64), max);
  return !isValidChannel(channel) || isMeta(channel) ? ERRORS.invalidChannel(channel) : null;
}

/**
 * The client named by the message, on this endpoint and of the identity the request proves
 * (an HTTP request by its headers, a WebSocket by what it is bound to), or unbound and now bound
 * to it. Anything else, a request proving no identity included, is an unknown client: existence
 * is not revealed.
 */
function sessionOf(engine: EngineOps, policy: EndpointPolicy, message: Message, ctx: RequestContext): Session | null {
  if (typeof message.clientId !== "string") return null;
  const session = engine.sessions.get(message.clientId);
  if (session === undefined || session.endpoint !== policy.name) return null;
  if (!session.bound) {
    // Unbound, it is served as the anonymous client it is (Chat API v2 clients prove no identity;
    // the policy keeps it to what needs none), and takes the identity of its first request that
    // proves one, and keeps it.
    if (ctx.identity === null) return session;
    return engine.bindIdentity(session, ctx.identity) ? session : null;
  }
  return ctx.identity !== null && ctx.identity === session.identity ? session : null;
}

function unknownClient(message: Message, channel: string): Reply {
  return { ...failure(message, channel, ERRORS.unknownClient), advice: HANDSHAKE_ADVICE };
}

function failure(message: Message, channel: string, error: string): Reply {
  return withId({ channel, successful: false, error }, message);
}

function withId(reply: Reply, message: Message): Reply {
  if (message.id !== undefined) reply.id = message.id;
  return reply;
}

function extOf(message: Message): Record<string, unknown> {
  const ext = message.ext;
  return typeof ext === "object" && ext !== null && !Array.isArray(ext) ? (ext as Record<string, unknown>) : {};
}

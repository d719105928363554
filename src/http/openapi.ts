/**
 * What the OpenAPI document (`/docs`) says each operation answers: its real success status and
 * body, and its errors with the body of its surface (GMS `{message, exception}`, GWS
 * `{status, errorDescription, statusCode, statusMessage}`). Filled in by one onRoute hook from
 * the table below, so route modules stay about behaviour; the schemas are documentation only
 * (replies are serialised with JSON.stringify, so they never reshape a reply). The two CometD
 * endpoints, which are not fastify routes, are described here too; registerOpenApi mounts it all
 * with @fastify/swagger.
 */
import swagger from "@fastify/swagger";
import type { FastifyInstance, RouteOptions } from "fastify";

type Schema = Record<string, unknown>;

const anyJson: Schema = { description: "any JSON" };
const object = (properties: Record<string, Schema> = {}, description?: string): Schema => ({
  type: "object",
  properties,
  additionalProperties: true,
  ...(description === undefined ? {} : { description }),
});
const array = (items: Schema, description?: string): Schema => ({ type: "array", items, ...(description === undefined ? {} : { description }) });
const str = (description?: string): Schema => ({ type: "string", ...(description === undefined ? {} : { description }) });
const int = (description?: string): Schema => ({ type: "integer", ...(description === undefined ? {} : { description }) });
const empty: Schema = { type: "null", description: "no body" };

const GMS_ERROR = object(
  { message: str("what was wrong, naming the field"), exception: str("the kind: BadRequestException, NotFoundException, ...") },
  "GMS error body",
);
const GWS_ERROR = object(
  {
    status: str("error"),
    errorDescription: str(),
    statusCode: int("1 missing or invalid parameter, 2 invalid for the current state, 3 forbidden, 5 no permission, 6 not found, 20 not authenticated"),
    statusMessage: str(),
  },
  "GWS error body",
);
const GWS_OK = object({
  status: str("ok"),
  statusCode: int("0"),
  clientMessageId: str("SendMessage with a clientMessageId (parley extension): that id"),
  clientMessageIndex: int("SendMessage with a clientMessageId: the index of the message it names (the retry's too)"),
});
const V2_ENVELOPE = object(
  {
    statusCode: int("0 success, 1 retry, 2 error"),
    chatEnded: { type: "boolean" },
    chatId: str(),
    userId: str(),
    secureKey: str(),
    alias: str(),
    nextPosition: int(),
    messages: array(object({ index: int(), type: str(), utcTime: int(), from: object({ nickname: str(), participantId: int(), type: str() }), text: str() })),
    userData: object({}, "string values"),
    errors: array(object({ code: int(), message: str(), advice: str() })),
    clientMessageId: str("a send that carried one (parley extension): that id"),
    clientMessageIndex: int("a send that carried a clientMessageId: the index of the message it names (the retry's too)"),
  },
  "Chat API v2 envelope",
);

const SERVICE = object(
  { service_id: int(), customer_id: str(), contact_key: str(), service_type: anyJson, started: object(), completed: object() },
  "a service; extensions as further keys when asked for",
);
const STATE = object({ state_id: int(), state_type: anyJson, started: object(), completed: object() });
const TASK = object({ task_id: int(), state_id: int(), task_type: anyJson, started: object(), completed: object() });
const PROFILE = object({ customer_id: str() }, "profile attributes, and extensions when asked for");
const INTERACTION = object({ interaction_id: str(), customer_id: str(), media_type: str(), status: int(), start_date: str(), end_date: str() });
const CHAT = object(
  {
    chatIxnState: str("CONNECTED, TRANSCRIPT or DISCONNECTED"),
    chatSessionId: str(),
    transcriptPosition: str("the next position the client has not received"),
    chatServiceMessage: str(),
    transcriptToShow: array(array(str()), "entries [type, nick, text, secondsFromStart, userType]"),
    startedAt: str(),
    message: str("CometD mode: Messages will sent over CometD service channel /_genesys"),
    clientMessageId: str("send or refresh that carried one (parley extension): that id"),
    clientMessagePosition: str("send or refresh that carried a clientMessageId: the position of the entry it names (the retry's too)"),
  },
  "the chat object (seed 004); in CometD mode without transcriptToShow (pushed instead), with message",
);

interface Documented {
  status: number;
  description: string;
  body: Schema;
}

/** Success of each operation, by method and path pattern (after the surface's prefix). */
const SUCCESS: [RegExp, Documented][] = [
  [/^POST .*\/services\/start$/, { status: 201, description: "created; Location names it", body: object({ service_id: int() }) }],
  [/^POST .*\/customers\/:cid\/services\/:sid$/, { status: 204, description: "associated", body: empty }],
  [/^POST .*\/services\/:sid\/end$/, { status: 204, description: "completed", body: empty }],
  [/^(PUT|DELETE) .*\/services\/:sid$/, { status: 200, description: "done", body: empty }],
  [/^GET .*\/services\/:sid$/, { status: 200, description: "the service", body: SERVICE }],
  [/^GET .*services(\/anonymous\/:ck)?(\/active|\/completed)?$/, { status: 200, description: "the services, oldest first", body: array(SERVICE) }],
  [/^POST .*\/states\/(start|transition)$/, { status: 201, description: "the new state", body: object({ state_id: int() }) }],
  [/^POST .*\/(states|tasks)\/:\w+\/end$/, { status: 204, description: "completed", body: empty }],
  [/^GET .*\/states\/:stid$/, { status: 200, description: "the state", body: STATE }],
  [/^GET .*\/states(\/active|\/completed)?$/, { status: 200, description: "the states", body: array(STATE) }],
  [/^POST .*\/tasks\/start$/, { status: 201, description: "the new task", body: object({ task_id: int() }) }],
  [/^GET .*\/tasks\/:tid$/, { status: 200, description: "the task", body: TASK }],
  [/^GET .*\/tasks(\/active|\/completed)?$/, { status: 200, description: "the tasks", body: array(TASK) }],
  [/^(PUT|POST) .*\/extensions\/:ext(\/merge)?$/, { status: 200, description: "stored", body: empty }],
  [
    /^POST .*\/services_composite\/start$/,
    {
      status: 200,
      description: "one result per element",
      body: array(object({ service_id: int(), service_created: { type: "boolean" }, state_id: int(), task_id: int() })),
    },
  ],
  [/^POST .*\/profiles$/, { status: 201, description: "created; Location names it", body: object({ customer_id: str() }) }],
  [/^GET .*\/profiles$/, { status: 200, description: "the customers matching", body: array(PROFILE) }],
  [/^GET .*\/profiles\/:cid$/, { status: 200, description: "the profile", body: PROFILE }],
  [/^(PUT|DELETE) .*\/profiles\/:cid$/, { status: 204, description: "done", body: empty }],
  [/^PUT .*\/profiles\/:cid\/merge\/:source$/, { status: 204, description: "merged; the source is gone", body: empty }],
  [/^POST .*\/profiles\/:cid\/extensions$/, { status: 200, description: "stored", body: empty }],
  [/^GET .*\/interactions\/:iid\/\w+$/, { status: 200, description: "the content, in its own type", body: str() }],
  [/^GET .*\/interactions\/:iid$/, { status: 200, description: "the interaction", body: INTERACTION }],
  [/^GET .*\/interactions$/, { status: 200, description: "contact history, newest first", body: array(INTERACTION) }],
  [
    /^GET .*\/metadata\/business-attributes$/,
    {
      status: 200,
      description: "the business attributes",
      body: array(object({ name: str(), dbid: str(), cv_attributes: array(str()), values: array(object()) })),
    },
  ],
  [/^GET .*\/metadata\//, { status: 200, description: "the schema", body: object() }],
  [/^POST .*\/metadata\//, { status: 201, description: "created; Location names it", body: object({ name: str() }) }],
  [/^DELETE .*\/metadata\//, { status: 204, description: "deleted", body: empty }],
  [/^PUT .*\/extensions\/:ext\/(delete\/)?by\/unique$/, { status: 204, description: "done", body: empty }],
  [/^POST .*\/maintenance\/purge$/, { status: 200, description: "how many were deleted", body: object({ purged: int() }) }],
  [
    /^GET .*\/maintenance\/services\/stream$/,
    { status: 200, description: "a streamed JSON array", body: array(anyJson, "service ids (strings), or services with export_content=true") },
  ],
  // Chat API v1
  [
    /^(GET|POST) \/\w+\/1\/service\/:id$/,
    { status: 200, description: "the new service session", body: object({ _id: str(), "_chatIxnAPI-CREATE-URL": str(), _session_comand_STATUS_URL: str() }) },
  ],
  [
    /^POST .*\/service\/:id\/status$/,
    {
      status: 200,
      description: "the advanced service's status",
      body: object({
        message: object({
          _id: str(),
          _status: str("waiting or available"),
          _dialog: str(),
          _estimated_wait_seconds: int("waiting, once handle times were measured: how long a chat started now would likely wait (parley extension)"),
        }),
        tag: str(),
      }),
    },
  ],
  [/^POST .*\/service\/:id\/ixn\/chat(\/:op)?$/, { status: 200, description: "the chat object (in CometD mode with GMS's message in it)", body: CHAT }],
  [/^POST .*\/service\/:id\/internal-poke$/, { status: 200, description: "sent", body: str("OK") }],
  // Chat API v2
  [
    /^POST \/\w+\/2\/chat\/:service\/:chatId\/file\/:fileId\/download\/?$/,
    { status: 200, description: "the file, as an attachment", body: str("the file's bytes") },
  ],
  [/^POST \/\w+\/2\/chat(-ntf|\/)/, { status: 200, description: "the v2 envelope (with fileDownload on chat-ntf: the file)", body: V2_ENVELOPE }],
  [/^GET \/api\/v2\/interactions\/:id\/files\/:fileId$/, { status: 200, description: "the file, as an attachment", body: str("the file's bytes") }],
  // Agent API
  [/^POST \/api\/v2\/(users|interactions)$/, { status: 200, description: "created", body: object({ status: str(), statusCode: int(), id: str() }) }],
  [
    /^POST \/api\/v2\/admin\/backup$/,
    {
      status: 200,
      description: "the copy is complete and durable: where it is on the server, and its size",
      body: object({ status: str(), statusCode: int(), path: str("absolute path of the copy"), bytes: int() }),
    },
  ],
  [/^GET \/api\/v2\//, { status: 200, description: "GWS form: {statusCode: 0, <resource or list>}", body: object({ statusCode: int() }) }],
  [/^(POST|PUT|DELETE) \/api\/v2\//, { status: 200, description: "accepted; outcomes arrive on CometD", body: GWS_OK }],
  [/^GET \/(health|ready)$/, { status: 200, description: "up", body: object({ status: str() }) }],
];

/** Errors each surface answers, with their meaning. */
function errorsOf(url: string, hasBody: boolean): Record<number, Documented> {
  const gms = (description: string) => ({ description, body: GMS_ERROR });
  const gws = (description: string) => ({ description, body: GWS_ERROR });
  if (url.startsWith("/api/v2")) {
    return withStatus({
      400: gws("a missing or invalid parameter (statusCode 1)"),
      401: gws("not authenticated (statusCode 20)"),
      403: gws("no permission, or a write with the session cookie from a foreign origin (statusCode 5)"),
      404: gws("not found, or not the caller's (statusCode 6)"),
      409: gws("invalid for the current state (statusCode 2)"),
      ...(hasBody ? { 413: gws("body over BODY_LIMIT_BYTES"), 415: gws("not JSON (a write with the session cookie must say application/json)") } : {}),
      429: gws("too many failed logins from this address, or at once for this user name (Retry-After)"),
      503: gws("too many logins waiting for their password check (Retry-After)"),
    });
  }
  if (/\/2\/chat/.test(url)) {
    const v2 = (description: string) => ({ description, body: V2_ENVELOPE });
    return withStatus({
      400: v2("invalid fields (errors[].code 161 name, 364 email, 204 message length, 240 no such service or its queue full, 201-203 file limits)"),
      401: v2("CHAT_V2_API_KEYS is set and the request carries no key"),
      413: v2("body over BODY_LIMIT_BYTES (uploads: over CHAT_V2_FILE_MAX_BYTES)"),
      429: v2("too many chats or messages from this address (statusCode 1, Retry-After)"),
    });
  }
  if (/\/1\/service\//.test(url)) {
    return withStatus({
      400: gms("malformed parameters, or the chat has ended (InvalidStateException)"),
      403: gms("the service belongs to another gms_user"),
      404: gms("no such service or operation"),
      413: gms("body over BODY_LIMIT_BYTES"),
      415: gms("a body type other than form, multipart or JSON"),
      429: gms("too many services, chats or messages from this address or gms_user (TooManyRequestsException, with Retry-After)"),
      503: gms("no agent available yet (advanced service), the queue is full (maxWaiting), or no chat yet"),
    });
  }
  if (/\/1\/cs\//.test(url)) {
    return withStatus({
      400: gms("an invalid field (named), or an invalid state for the operation (InvalidStateException)"),
      401: gms("CS_AUTH is on and the credentials are missing or wrong"),
      404: gms("no such resource"),
      ...(hasBody
        ? { 413: gms("body over BODY_LIMIT_BYTES (or a response over RESPONSE_LIMIT_BYTES)"), 415: gms("not JSON") }
        : { 413: gms("response over RESPONSE_LIMIT_BYTES") }),
    });
  }
  return {};
}

function withStatus(errors: Record<number, { description: string; body: Schema } | undefined>): Record<number, Documented> {
  return Object.fromEntries(Object.entries(errors).flatMap(([status, e]) => (e === undefined ? [] : [[status, { status: Number(status), ...e }]])));
}

function responsesOf(route: RouteOptions): Record<string, Schema> | undefined {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const key = `${methods[0]} ${route.url}`;
  const success = SUCCESS.find(([pattern]) => pattern.test(key))?.[1];
  if (success === undefined) return undefined;
  const hasBody = methods.some((m) => m === "POST" || m === "PUT");
  const responses: Record<string, Schema> = { [success.status]: { ...success.body, description: success.description } };
  for (const [status, e] of Object.entries(errorsOf(route.url ?? "", hasBody))) responses[status] = { ...e.body, description: e.description };
  return responses;
}

export interface OpenApiOptions {
  /** parley's version, as the document states it. */
  version: string;
  /** GMS_APP_NAME: where the customer CometD endpoint is. */
  gmsAppName: string;
}

/** The document `/docs` serves: every route with its schemas and responses, and the CometD endpoints; call before the routes are registered. */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  documentResponses(app);
  await app.register(swagger, {
    transformObject: (document) => {
      if (!("openapiObject" in document)) return document.swaggerObject;
      const doc = document.openapiObject;
      return { ...doc, paths: { ...doc.paths, ...(cometdPaths(options.gmsAppName) as typeof doc.paths) } } as typeof doc;
    },
    openapi: {
      info: { title: "parley", version: options.version, description: "Genesys Mobile Services compatible engagement server" },
    },
  });
}

/** Fills in every documented route's responses; call before the routes are registered. */
function documentResponses(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const schema = route.schema as Schema | undefined;
    if (schema === undefined || schema.hide === true || schema.response !== undefined) return;
    const responses = responsesOf(route);
    if (responses !== undefined) schema.response = responses;
  });
  // The schemas above document; replies are serialised as they always were.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** The CometD endpoints, which no fastify route declares, added to the document. */
function cometdPaths(gmsAppName: string): Record<string, Schema> {
  const bayeux = (who: string, identity: string) => ({
    post: {
      tags: ["CometD"],
      summary: `Bayeux 1.0 (CometD) for ${who}: long-polling; callback-polling with GET ?jsonp=; WebSocket on the same path`,
      description: `${identity} Meta channels /meta/handshake, /meta/connect, /meta/subscribe, /meta/unsubscribe, /meta/disconnect; the ack extension (ext.ack). The path suffixes /handshake, /connect, ... are accepted.`,
      requestBody: {
        content: {
          "application/json": {
            schema: array(object({ channel: str(), clientId: str(), id: str(), data: anyJson, ext: object() }), "a batch of Bayeux messages"),
          },
        },
      },
      responses: {
        200: {
          description: "the replies and the messages for the client",
          content: { "application/json": { schema: array(object({ channel: str(), successful: { type: "boolean" }, error: str("code:args:message") })) } },
        },
      },
    },
  });
  return {
    [`/${gmsAppName}/cometd`]: bayeux(
      "customer apps (Chat API v1: channel /_genesys; Chat API v2: publish to /service/chatV2/{service})",
      "Chat API v1: the gms_user header (or ?gms_user=, or ext.gms_user over WebSocket) names the user; with GMS_USER_SECRET, gms_user_token proves it. Chat API v2 needs none: a client without gms_user may use only /service/chatV2/*, where data.operation (requestChat, requestNotifications, sendMessage, ...) and data.secureKey name the request and the chat; results and pushes come back on that channel without a subscription. sendMessage may carry data.clientMessageId (a parley extension: a string of at most 64 of A-Z a-z 0-9 . _ : -, unique per chat): a retry with it adds nothing, and each such sendMessage is answered with the envelope naming the message (clientMessageId, clientMessageIndex).",
    ),
    "/api/v2/notifications": bayeux(
      "agent desktops (channels /v2/me/...; supervisors and admins also /v2/supervisor/changes and /v2/queues)",
      "The agent's JSESSIONID session cookie or HTTP Basic credentials.",
    ),
  };
}

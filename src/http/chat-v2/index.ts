/**
 * The Chat API v2 over REST under `/<app>/2/chat` (spec reference/chat-v2.md §3): requestChat on
 * a service, every operation on a chat by its id, and files (files.ts). Each path takes an
 * optional trailing slash (Widgets posts requestChat to `…/{service}/`); parameters are read as
 * leniently as v1's (http/chat/params.ts); every answer, errors included, is the v2 envelope.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { v2Authorized } from "../../access/chat-v2-keys.ts";
import { chatV2Operation, requestChatV2 } from "../../actions/chat-v2.ts";
import type { ActionContext } from "../../actions/context.ts";
import { clientAddress, type ProxyTrust } from "../../client-address.ts";
import { AppError } from "../../domain/errors.ts";
import { chatParams, registerChatBodyParsers } from "../chat/params.ts";
import { clientMessageIdBody } from "../chat/schemas.ts";
import { chatV2ErrorReplier } from "./errors.ts";
import { plainBody, registerChatV2Files, type FileRoutesDeps } from "./files.ts";
import { chatKeyOf, chatRequestOf, operationName, operationOf, positionOf, restFields, type V2Fields } from "./requests.ts";

export interface ChatV2Deps {
  ctx: ActionContext;
  /** `/<app>/2`. */
  base: string;
  trustProxy: ProxyTrust;
  jsonMaxDepth: number;
  /** CHAT_V2_API_KEYS: empty, no key asked. */
  apiKeys: readonly string[];
  lingerMs: number;
  files: FileRoutesDeps["files"];
}

/** Both spellings of a path: without and with its trailing slash. */
function withSlash(path: string): string[] {
  return [path, `${path}/`];
}

export async function registerChatV2Api(app: FastifyInstance, deps: ChatV2Deps): Promise<void> {
  await app.register(
    async (api) => {
      api.setErrorHandler(chatV2ErrorReplier(deps.lingerMs));
      api.setNotFoundHandler((request) => {
        throw new AppError("invalid_input", `No such Chat API v2 request: ${request.method} ${request.url.slice(0, 200)}`);
      });
      api.addHook("onSend", (_request, reply, payload, done) => {
        reply.header("cache-control", "no-cache, no-store").header("pragma", "no-cache");
        done(null, payload);
      });
      // With CHAT_V2_API_KEYS, every request but a download carries a key (Widgets downloads by
      // form navigation). Checked once the body is read: chat-ntf names its operation there.
      api.addHook("preHandler", async (request) => {
        if (v2Authorized(deps.apiKeys, credentialsOf(request)) || isDownload(request)) return;
        throw new AppError("unauthenticated", "an API key is required (apikey or x-api-key)", { apiCode: 401 });
      });
      await api.register(async (ops) => {
        registerChatBodyParsers(ops, deps.jsonMaxDepth);
        registerOperations(ops, deps);
      });
      await api.register(async (files) => registerChatV2Files(files, deps));
    },
    { prefix: deps.base },
  );
}

/** A file download, which carries no header: its route says so, or chat-ntf's operation. */
function isDownload(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as { download?: boolean } | undefined;
  if (config?.download === true) return true;
  return request.routeOptions.url?.endsWith("/chat-ntf") === true || request.routeOptions.url?.endsWith("/chat-ntf/") === true
    ? chatParams(request.query, plainBody(request.body)).operation === "fileDownload"
    : false;
}

function credentialsOf(request: FastifyRequest) {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return { apiKeys: [header("apikey"), header("x-api-key")], authorization: header("authorization"), password: undefined };
}

/** A request's fields: its query and body as v1 reads them, `userData` as v2 sends it. */
function fieldsOf(request: FastifyRequest, maxDepth: number): V2Fields {
  return restFields(chatParams(request.query, request.body), maxDepth);
}

const TAGS = ["Chat API v2"];
/** An operation's parameters as far as a schema checks them: `clientMessageId`, on send. */
const SEND_BODY = clientMessageIdBody("send");

function registerOperations(api: FastifyInstance, deps: ChatV2Deps): void {
  const address = (request: FastifyRequest) => clientAddress(request.raw, deps.trustProxy);
  for (const url of withSlash("/chat/:service")) {
    api.post<{ Params: { service: string } }>(
      url,
      // Past its rate, an address is refused before its body is read and parsed.
      {
        schema: { tags: TAGS, summary: "requestChat: start a chat (nickname or firstName and lastName, emailAddress, subject, text, userData[key])" },
        onRequest: async (request) => deps.ctx.chat.allowance.refuseEarly("chat", address(request)),
      },
      async (request) => {
        const fields = fieldsOf(request, deps.jsonMaxDepth);
        return requestChatV2(deps.ctx, request.params.service, { address: address(request) }, chatRequestOf(fields), "poll");
      },
    );
  }
  for (const url of withSlash("/chat/:service/:chatId/:operation")) {
    const summary = "An operation: send, refresh, startTyping, stopTyping, disconnect, pushUrl, customNotice, updateNickname, updateData, readReceipt";
    api.post<{ Params: { service: string; chatId: string; operation: string } }>(url, { schema: { tags: TAGS, summary, body: SEND_BODY } }, async (request) => {
      const name = operationName(request.params.operation);
      // `sendMessage` is CometD's name; REST's is `send`.
      if (name === null || request.params.operation === "sendMessage" || name === "requestNotifications") {
        throw new AppError("invalid_input", `No chat operation ${request.params.operation.slice(0, 64)}`);
      }
      const fields = fieldsOf(request, deps.jsonMaxDepth);
      return chatV2Operation(deps.ctx, chatKeyOf(fields, request.params.chatId), operationOf(name, fields), positionOf(fields));
    });
  }
}

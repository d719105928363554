/** Chat API v1 helpers for tests: form posts as GMS clients send them, and a customer's chat. */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { assertGmsError, call, manualClock, present, startServer, type Reply, type TestServer } from "./server.ts";

export type Form = Record<string, string>;

/** POSTs `form` as application/x-www-form-urlencoded (the seed's encoding). */
export function postForm(url: string, form: Form = {}, headers: Record<string, string> = {}): Promise<Reply> {
  return call("POST", url, new URLSearchParams(form).toString(), { "content-type": "application/x-www-form-urlencoded; charset=UTF-8", ...headers });
}

export function chatApi(baseUrl: string) {
  const service = `${baseUrl}/genesys/1/service`;
  return {
    service,
    /** Creates a service (`request-chat` by default); returns its `_id`. */
    async create(name = "request-chat", form: Form = {}, headers: Record<string, string> = {}): Promise<string> {
      const reply = await postForm(`${service}/${name}`, form, headers);
      assert.equal(reply.status, 200, reply.text);
      return reply.body._id as string;
    },
    call(id: string, path: string, form: Form = {}, headers: Record<string, string> = {}): Promise<Reply> {
      return postForm(`${service}/${id}/${path}`, form, headers);
    },
  };
}

/** The chat of service `serviceId` as the store holds it; the test fails when the service has none. */
export async function storedChat(server: TestServer, serviceId: string) {
  return present((await server.app.store.chats.get(serviceId))?.chat, `a chat on service ${serviceId}`);
}

/** The interaction agents work for the chat of service `serviceId`, as stored (its attached data in `properties`). */
export async function chatInteraction(server: TestServer, serviceId: string) {
  const { interactionId } = await storedChat(server, serviceId);
  return present(await server.app.store.agentInteractions.get(interactionId), `interaction ${interactionId}`);
}

/** Transcript entries of a reply, `[type, nick, text, seconds, userType]`. */
export function entries(reply: Reply): string[][] {
  return (reply.body?.transcriptToShow ?? []) as string[][];
}

/** A GMS_USER_SECRET for tests, and the headers of a gms_user proven with it (what an app's back end signs). */
export const GMS_SECRET = "chat-tests-secret-0123456789-abcdefghijkl";

export async function provenUser(user: string, claims: Record<string, string> = {}): Promise<Record<string, string>> {
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user)
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(GMS_SECRET));
  return { gms_user: user, gms_user_token: token };
}

/** Headers of a request that reached parley through its proxy from `address` (before it, what a client wrote itself). */
export const from = (address: string, spoofed?: string): Record<string, string> => ({
  "x-forwarded-for": spoofed === undefined ? address : `${spoofed}, ${address}`,
});

/** Runs `body` against a server behind a proxy (TRUST_PROXY), with `env` and a clock the test moves. */
export async function withChat(env: Record<string, string>, body: (server: TestServer, clock: ReturnType<typeof manualClock>) => Promise<void>): Promise<void> {
  const clock = manualClock();
  const server = await startServer({ now: clock.now, env: { TRUST_PROXY: "true", ...env } });
  try {
    await body(server, clock);
  } finally {
    await server.close();
  }
}

/** A 429 in the GMS body, with a Retry-After in whole seconds. */
export function assertRateLimited(reply: Reply): void {
  assertGmsError(reply, 429, "TooManyRequestsException");
  assert.match(reply.headers.get("retry-after") ?? "", /^[1-9]\d*$/, "Retry-After in whole seconds");
}

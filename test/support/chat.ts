/** Chat API v1 helpers for tests: form posts as GMS clients send them, and a customer's chat. */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { call, type Reply } from "./server.ts";

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

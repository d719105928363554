/** Chat API v1 helpers for tests: form posts as GMS clients send them, and a customer's chat. */
import assert from "node:assert/strict";
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

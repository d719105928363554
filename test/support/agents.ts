/** Agent API helpers for tests: users, Ready, submissions, and waiting for what routing does. */
import assert from "node:assert/strict";
import { call, eventually, type Reply } from "./server.ts";

export const ADMIN_PASSWORD = "admin-password-for-tests";
export type Headers = Record<string, string>;

export const basic = (user: string, password = `${user}-password`): Headers => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});
export const ADMIN = basic("admin", ADMIN_PASSWORD);

/** The `name=value` of a Set-Cookie header: what a browser sends back. */
export const cookiePair = (setCookie: string): string => setCookie.replace(/;.*/s, "");

export interface TestAgent {
  id: string;
  headers: Headers;
}

export function agentApi(baseUrl: string) {
  const api = `${baseUrl}/api/v2`;
  const request = (method: string, path: string, headers: Headers, body?: unknown): Promise<Reply> => call(method, `${api}${path}`, body, headers);
  return {
    request,
    async createAgent(userName: string, extra: object = {}, roles = ["ROLE_AGENT"]): Promise<TestAgent> {
      const reply = await request("POST", "/users", ADMIN, { userName, password: `${userName}-password`, roles, ...extra });
      assert.equal(reply.body.statusCode, 0, reply.text);
      return { id: reply.body.id, headers: basic(userName) };
    },
    async ready(agent: TestAgent, channel = "openmedia"): Promise<void> {
      assert.equal((await request("POST", `/me/channels/${channel}`, agent.headers, { operationName: "Ready" })).body.statusCode, 0);
    },
    async submit(properties: object = {}, queue?: string): Promise<string> {
      const reply = await request("POST", "/interactions", ADMIN, { mediaType: "openmedia", properties, ...(queue === undefined ? {} : { queue }) });
      assert.equal(reply.body.statusCode, 0, reply.text);
      return reply.body.id;
    },
    async mine(agent: TestAgent): Promise<{ id: string; state: string; ownerId: string | null; userData: Record<string, unknown> }[]> {
      return (await request("GET", "/me/interactions?fields=*", agent.headers)).body.interactions;
    },
    /** Waits until `agent` sees interaction `id` in `state`. */
    async sees(agent: TestAgent, id: string, state: string, ms = 5000): Promise<void> {
      await eventually(
        async () => ((await this.mine(agent)).some((ix) => ix.id === id && ix.state === state) ? true : undefined),
        ms,
        `${id} ${state} for an agent`,
      );
    },
    operate(agent: TestAgent, id: string, body: object): Promise<Reply> {
      return request("POST", `/me/interactions/${id}`, agent.headers, body);
    },
  };
}

/**
 * Issue 15, item 8: an anonymous chat naming a `customer_id`, or an `email` a profile holds, was
 * shown to agents as that customer and written into that customer's permanent history. Now only
 * a `customer_id` claim inside a verified gms_user_token links a chat to a profile (or every
 * claim, with CHAT_TRUST_CLIENT_IDENTITY=true); anything else stays data, marked unverified.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignJWT } from "jose";
import { ADMIN_PASSWORD, agentApi } from "../support/agents.ts";
import { chatApi } from "../support/chat.ts";
import { get, post, startServer, type TestServer } from "../support/server.ts";

const SECRET = "identity-test-secret-0123456789-abcdefgh";

function tokenFor(user: string, claims: Record<string, string> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(user).setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));
}

interface Outcome {
  /** The interaction as the agent reads it. */
  interaction: Record<string, unknown> & { userData: Record<string, unknown> };
  /** Whether each profile's history lists the chat. */
  filedUnder: Record<string, boolean>;
}

/** A profile for `email`, a chat that names it and ends; what the agent saw and where its history went. */
async function chatClaiming(
  env: Record<string, string>,
  chatForm: Record<string, string>,
  headers: (profiles: { victim: string; other: string }) => Promise<Record<string, string>>,
): Promise<Outcome & { profiles: { victim: string; other: string } }> {
  const server: TestServer = await startServer({ env: { PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env } });
  try {
    const api = agentApi(server.url);
    const chat = chatApi(server.url);
    const victim = (await post(`${server.cs}/profiles`, { FirstName: "Vic", EmailAddress: ["vic@example.com"] })).body.customer_id as string;
    const other = (await post(`${server.cs}/profiles`, { FirstName: "Oto" })).body.customer_id as string;
    const profiles = { victim, other };
    const hdrs = await headers(profiles);
    const agent = await api.createAgent("ida");
    await api.ready(agent, "chat");
    const id = await chat.create("request-chat", {}, hdrs);
    const form = Object.fromEntries(Object.entries(chatForm).map(([k, v]) => [k, v.replace("{victim}", victim).replace("{other}", other)]));
    const started = await chat.call(id, "ixn/chat", form, hdrs);
    assert.equal(started.status, 200, started.text);
    const ixId = started.body.chatSessionId as string;
    await api.sees(agent, ixId, "Invited");
    const interaction = (await api.request("GET", `/interactions/${ixId}`, agent.headers)).body.interaction;
    await chat.call(id, "ixn/chat/disconnect", {}, hdrs);
    assert.equal((await get(`${server.cs}/interactions/${ixId}`)).status, 200, "the chat is history");
    const filedUnder: Record<string, boolean> = {};
    for (const [name, customerId] of Object.entries(profiles)) {
      filedUnder[name] = JSON.stringify((await get(`${server.cs}/customers/${customerId}/interactions`)).body).includes(ixId);
    }
    return { interaction, filedUnder, profiles };
  } finally {
    await server.close();
  }
}

describe("a customer identity a chat client claims", () => {
  it("is data, shown to agents as unverified, and never files the chat under that profile (customer_id, or a profile's email)", async () => {
    const { interaction, filedUnder, profiles } = await chatClaiming({}, { customer_id: "{victim}", email: "vic@example.com" }, async () => ({}));
    assert.equal(interaction.customerId, null);
    assert.equal(interaction.unverifiedCustomerId, profiles.victim);
    assert.equal(interaction.userData.customer_id, profiles.victim, "kept as the data the client sent");
    assert.deepEqual(filedUnder, { victim: false, other: false });
  });

  it("with CHAT_TRUST_CLIENT_IDENTITY=true, links as before: the apps are trusted", async () => {
    const { interaction, filedUnder, profiles } = await chatClaiming({ CHAT_TRUST_CLIENT_IDENTITY: "true" }, { customer_id: "{victim}" }, async () => ({}));
    assert.equal(interaction.customerId, profiles.victim);
    assert.equal(interaction.unverifiedCustomerId, null);
    assert.deepEqual(filedUnder, { victim: true, other: false });
  });

  it("an email alone links only with CHAT_TRUST_CLIENT_IDENTITY=true", async () => {
    const trusted = await chatClaiming({ CHAT_TRUST_CLIENT_IDENTITY: "true" }, { email: "vic@example.com" }, async () => ({}));
    assert.deepEqual(trusted.filedUnder, { victim: true, other: false });
  });
});

describe("a customer_id inside a verified gms_user_token (GMS_USER_SECRET)", () => {
  it("is the chat's customer, whatever customer_id the client also sends", async () => {
    const { interaction, filedUnder, profiles } = await chatClaiming(
      { GMS_USER_SECRET: SECRET },
      { customer_id: "{victim}", email: "vic@example.com" },
      async (p) => ({ gms_user: "oto", gms_user_token: await tokenFor("oto", { customer_id: p.other }) }),
    );
    assert.equal(interaction.customerId, profiles.other);
    assert.equal(interaction.userData.customer_id, profiles.other, "the verified id replaces the claimed one");
    assert.equal(interaction.unverifiedCustomerId, null);
    assert.deepEqual(filedUnder, { victim: false, other: true });
  });

  it("a token without one proves the user, not a customer: the claim stays unverified", async () => {
    const { interaction, filedUnder } = await chatClaiming({ GMS_USER_SECRET: SECRET }, { customer_id: "{victim}" }, async () => ({
      gms_user: "mal",
      gms_user_token: await tokenFor("mal"),
    }));
    assert.equal(interaction.customerId, null);
    assert.deepEqual(filedUnder, { victim: false, other: false });
  });
});

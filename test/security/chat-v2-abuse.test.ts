/**
 * A hostile anonymous customer against the Chat API v2 (issue 19's security probe): each case is
 * an attack that worked on the first version, and now must not; the last ones pin what the probe
 * found sound.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { wsBayeux } from "../support/bayeux.ts";
import { assertEnvelope, chatV2Api, postV2, withChatAgent } from "../support/chat-v2.ts";
import { call, startServer, withServer } from "../support/server.ts";

const CHANNEL = "/service/chatV2/customer-support";
const KEY = "probe-key-0123456789abcdefghijkl";

function longPoll(url: string) {
  return (body: unknown) => call("POST", `${url}/genesys/cometd`, JSON.stringify(body), { "content-type": "application/json" });
}

async function anonymousClient(lp: ReturnType<typeof longPoll>): Promise<string> {
  const hs = await lp([{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }]);
  assert.equal(hs.body[0].successful, true, hs.text);
  return hs.body[0].clientId;
}

/** A multipart upload built by hand (`disposition` is what follows `name="file"; `). */
async function rawUpload(url: string, secureKey: string, disposition: string, content: Buffer | string) {
  const body = Buffer.concat([
    Buffer.from(
      `--b\r\nContent-Disposition: form-data; name="secureKey"\r\n\r\n${secureKey}\r\n--b\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\n\r\n`,
    ),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from("\r\n--b--\r\n"),
  ]);
  const r = await fetch(url, { method: "POST", body, headers: { "content-type": "multipart/form-data; boundary=b" } });
  const text = await r.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: r.status, text, body: parsed, headers: r.headers };
}

describe("CHAT_V2_API_KEYS: '/download' or 'fileDownload' in a URL's query exempts nothing", () => {
  it("refuses requestChat and send without a key whatever the query string holds", async () => {
    await withServer({ CHAT_V2_API_KEYS: KEY }, async (server) => {
      const v2 = chatV2Api(server.url);
      assert.equal((await postV2(`${v2.base}/`, { nickname: "a" })).status, 401, "no key: refused");
      const opened = await postV2(`${v2.base}/?x=/download`, { nickname: "mallory" });
      assert.equal(opened.status, 401, `requestChat with ?x=/download and no key: ${opened.status} ${opened.text.slice(0, 120)}`);
      const ntf = await postV2(`${server.url}/genesys/2/chat-ntf?fileDownload`, { operation: "fileGetLimits", secureKey: "x" });
      assert.equal(ntf.status, 401, "chat-ntf with ?fileDownload and no key");
    });
  });
});

describe("a v2 chat is not reachable through the Chat API v1", () => {
  it("its service id is attached nowhere, and the v1 routes refuse it (404) even to one who learns it", async () => {
    await withChatAgent(async ({ server, api, agent, v2 }) => {
      const chat = await v2.start();
      await v2.op(chat, "send", { message: "private to the customer" });
      await api.sees(agent, chat.chatId, "Invited");
      const ix = (await api.mine(agent)).find((i) => i.id === chat.chatId);
      assert.equal(ix?.userData.gms_service_id, undefined, "agents, history and Context Services never see it");
      // Read from the database, as an insider might: still no capability.
      const serviceId = String((await server.app.store.chats.byInteraction(chat.chatId))?.id);
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const read = await call("POST", `${server.url}/genesys/1/service/${serviceId}/ixn/chat/refresh`, "transcriptPosition=1", form);
      const sent = await call("POST", `${server.url}/genesys/1/service/${serviceId}/ixn/chat/send`, "message=spoofed", form);
      assert.equal(read.status, 404, read.text.slice(0, 160));
      assert.equal(sent.status, 404);
    });
  });
});

describe("requestNotifications over anonymous CometD cannot fill the server's memory", () => {
  it("a few anonymous clients of one address hold no more than BAYEUX_MAX_QUEUE_BYTES_PER_IP", async () => {
    const server = await startServer({ env: { BAYEUX_MAX_QUEUE_BYTES_PER_IP: String(4 * 1024 * 1024) } });
    try {
      const v2 = chatV2Api(server.url);
      const chat = await v2.start();
      // A transcript at its byte cap (256 KiB), built within the chat's entry rate.
      for (let i = 0; i < 32; i++) assert.equal((await v2.op(chat, "send", { message: "x".repeat(8000) })).body.statusCode, 0);
      const lp = longPoll(server.url);
      let sent = 0;
      for (let n = 0; n < 5; n++) {
        const clientId = await anonymousClient(lp);
        // 15 publishes of ~180 bytes each; the client never connects, so every reply stays queued.
        const batch = Array.from({ length: 15 }, () => ({
          channel: CHANNEL,
          clientId,
          data: { operation: "requestNotifications", secureKey: chat.keys.secureKey, transcriptPosition: 1 },
        }));
        const text = JSON.stringify(batch);
        sent += text.length;
        await call("POST", `${server.url}/genesys/cometd`, text, { "content-type": "application/json" });
      }
      let queued = 0;
      for (const session of server.app.bayeux.sessions.values()) if (session.anonymous) queued += session.queuedBytes;
      // 5 clients: ~19.5 MB held for ~14 KB sent; 200 clients per address (the default cap) would be ~780 MB.
      assert.ok(queued <= 4 * 1024 * 1024, `one address's anonymous clients hold ${queued} bytes for ${sent} bytes sent`);
      assert.ok(server.app.bayeux.stats().customerQueuedBytes <= 4 * 1024 * 1024, "and so the node's count says");
    } finally {
      await server.close();
    }
  });
});

describe("updateData is within the chat's entry rate", () => {
  it("past CHAT_ENTRIES_PER_MINUTE (120, refilled as they go) updateData calls, one is refused with 429", async () => {
    await withChatAgent(async ({ api, agent, v2 }) => {
      const chat = await v2.start();
      await api.sees(agent, chat.chatId, "Invited");
      await api.operate(agent, chat.chatId, { operationName: "Accept" });
      const statuses = new Set<number>();
      for (let i = 0; i < 250 && !statuses.has(429); i++) statuses.add((await v2.op(chat, "updateData", { "userData[k]": String(i) })).status);
      assert.ok(statuses.has(429), `250 updateData in a row, statuses ${[...statuses].join(",")} (each one a PropertiesUpdated to the agent)`);
    });
  });
});

describe("a refused upload never reaches the disk", () => {
  it("no agent yet (upload-need-agent): the bytes never reach the file store", async () => {
    const server = await startServer({ env: { CHAT_V2_FILE_MAX_BYTES: "100000" } });
    try {
      const store = server.app.ctx.chat.files.store;
      let written = 0;
      const put = store.put.bind(store);
      store.put = async (id, bytes) => {
        written += bytes.length;
        return put(id, bytes);
      };
      const v2 = chatV2Api(server.url);
      const chat = await v2.start();
      const refused = await rawUpload(`${v2.base}/${chat.chatId}/file`, chat.keys.secureKey ?? "", 'filename="a.txt"', Buffer.alloc(99_999, 120));
      assert.equal(refused.body?.errors?.[0]?.code, 203, refused.text);
      assert.equal(written, 0, `${written} bytes written for an upload refused for having no agent`);
    } finally {
      await server.close();
    }
  });
});

describe("a file of exactly upload-max-file-size is taken", () => {
  it("accepts a file of the advertised maximum size", async () => {
    const server = await startServer({ env: { CHAT_V2_FILE_MAX_BYTES: "1000", CHAT_V2_FILE_NEED_AGENT: "false" } });
    try {
      const v2 = chatV2Api(server.url);
      const chat = await v2.start();
      const exact = await rawUpload(`${v2.base}/${chat.chatId}/file`, chat.keys.secureKey ?? "", 'filename="a.txt"', Buffer.alloc(1000, 120));
      assert.equal(exact.status, 200, exact.text);
    } finally {
      await server.close();
    }
  });
});

describe("v2 error messages do not name the chat's service id", () => {
  it("an operation on an ended chat does not name the service", async () => {
    await withServer({}, async (server) => {
      const v2 = chatV2Api(server.url);
      const chat = await v2.start();
      await v2.op(chat, "disconnect");
      const reply = await v2.op(chat, "send", { message: "late" });
      assert.doesNotMatch(reply.text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, reply.text);
    });
  });
});

describe("files have a byte budget per address (CHAT_V2_FILE_MAX_BYTES_PER_IP)", () => {
  it("one address cannot put more than one chat's total on disk by opening more chats", async () => {
    const server = await startServer({
      env: {
        CHAT_V2_FILE_MAX_BYTES: "10000",
        CHAT_V2_FILE_MAX_TOTAL_BYTES: "50000",
        CHAT_V2_FILE_MAX_FILES: "5",
        CHAT_V2_FILE_NEED_AGENT: "false",
        CHAT_V2_FILE_MAX_BYTES_PER_IP: "50000",
      },
    });
    try {
      const v2 = chatV2Api(server.url);
      let stored = 0;
      for (let c = 0; c < 4; c++) {
        const chat = await v2.start();
        for (let f = 0; f < 5; f++) {
          const r = await rawUpload(`${v2.base}/${chat.chatId}/file`, chat.keys.secureKey ?? "", `filename="f${f}.txt"`, Buffer.alloc(9_999, 120));
          if (r.status === 200) stored += 9_999;
        }
        await v2.op(chat, "disconnect"); // ended chats keep their files until the service expires (1 h)
      }
      // Defaults: 10 chats/min x 50 MB = 500 MB a minute from one address; CHAT_OPEN_CHATS_PER_IP does not bound ended chats.
      assert.ok(stored <= 50_000, `one address stored ${stored} bytes across 4 chats (per-chat cap 50000)`);
    } finally {
      await server.close();
    }
  });
});

describe("a userData key sent in a JSON object is capped as a form field's name is", () => {
  it("refuses a 10,000-character userData key", async () => {
    await withServer({}, async (server) => {
      const v2 = chatV2Api(server.url);
      const reply = await call("POST", `${v2.base}/`, JSON.stringify({ nickname: "a", userData: { ["k".repeat(10_000)]: "v" } }), {
        "content-type": "application/json",
      });
      assert.equal(reply.status, 400, `a 10,000-character key attached to the chat: ${reply.status}`);
    });
  });
});

describe("sound: what was probed and held", () => {
  it("one chat's key never reaches another chat's file (REST path, chat-ntf) nor the agent route for another interaction", async () => {
    const server = await startServer({ env: { CHAT_V2_FILE_NEED_AGENT: "false" } });
    try {
      const v2 = chatV2Api(server.url);
      const victim = await v2.start();
      const attacker = await v2.start();
      const up = await rawUpload(`${v2.base}/${victim.chatId}/file`, victim.keys.secureKey ?? "", 'filename="secret.txt"', "secret");
      const fileId = assertEnvelope(up.body).userData?.["file-id"] ?? "";
      const viaPath = await postV2(`${v2.base}/${attacker.chatId}/file/${fileId}/download`, attacker.keys);
      assert.equal(viaPath.body.errors[0].code, 404);
      const viaNtf = await postV2(`${server.url}/genesys/2/chat-ntf`, { operation: "fileDownload", secureKey: attacker.keys.secureKey ?? "", fileId });
      assert.equal(viaNtf.body.errors[0].code, 404);
      const victimPathAttackerKey = await postV2(`${v2.base}/${victim.chatId}/file/${fileId}/download`, attacker.keys);
      assert.equal(victimPathAttackerKey.body.errors[0].code, 401);
      assert.doesNotMatch(viaPath.text + viaNtf.text + victimPathAttackerKey.text, /secret/);
      const anon = await call("GET", `${server.url}/api/v2/interactions/${victim.chatId}/files/${fileId}`);
      assert.ok([401, 404].includes(anon.status), `agent route without credentials: ${anon.status}`);
    } finally {
      await server.close();
    }
  });

  it("downloads are attachments, nosniff, sandboxed; a file name cannot inject a header or a path", async () => {
    const server = await startServer({ env: { CHAT_V2_FILE_NEED_AGENT: "false", CHAT_V2_FILE_MAX_FILES: "10" } });
    try {
      const v2 = chatV2Api(server.url);
      const chat = await v2.start();
      const url = `${v2.base}/${chat.chatId}/file`;
      const html = await rawUpload(url, chat.keys.secureKey ?? "", 'filename="page.html"', "<script>alert(1)</script>");
      assert.equal(html.body.errors[0].code, 203);
      for (const disposition of [
        "filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1.txt",
        'filename="a\\"; filename=evil.html; x=.txt"',
        'filename="..\\\\..\\\\x.txt"',
      ]) {
        const sent = await rawUpload(url, chat.keys.secureKey ?? "", disposition, "<html><script>alert(1)</script></html>");
        const fileId = assertEnvelope(sent.body).userData?.["file-id"] ?? "";
        const got = await fetch(`${url}/${fileId}/download`, { method: "POST", body: new URLSearchParams({ secureKey: chat.keys.secureKey ?? "" }) });
        await got.text();
        assert.equal(got.headers.get("set-cookie"), null);
        assert.match(got.headers.get("content-type") ?? "", /^text\/plain/);
        assert.equal(got.headers.get("x-content-type-options"), "nosniff");
        assert.match(got.headers.get("content-security-policy") ?? "", /sandbox/);
        assert.match(got.headers.get("content-disposition") ?? "", /^attachment; filename="[^"\r\n\\/]*"; filename\*=UTF-8''[^\s"]*$/);
      }
    } finally {
      await server.close();
    }
  });

  it("anonymous CometD: no wildcard or v1 subscription, no broadcast publish; a v1 chat's key is unknown to v2", async () => {
    const server = await startServer();
    try {
      const lp = longPoll(server.url);
      const clientId = await anonymousClient(lp);
      for (const subscription of ["/**", "/*", "/_genesys", "/service/**", "/service/*"]) {
        const r = await lp([{ channel: "/meta/subscribe", clientId, subscription }]);
        assert.equal(r.body[0].successful, false, subscription);
      }
      const pub = await lp([{ channel: "/_genesys", clientId, data: {} }]);
      assert.equal(pub.body[0].successful, false);
      // A v1 chat (gms_user) and its secureKey: not a v2 chat.
      const v1 = await call("POST", `${server.url}/genesys/1/service/request-chat`, "", {
        gms_user: "v1user",
        "content-type": "application/x-www-form-urlencoded",
      });
      const sid = v1.body?._id ?? v1.body?.id;
      const started = await call("POST", `${server.url}/genesys/1/service/${sid}/ixn/chat`, "firstName=V", {
        gms_user: "v1user",
        "content-type": "application/x-www-form-urlencoded",
      });
      const stored = await server.app.store.chats.get(String(sid));
      const v1Key = stored?.chat?.secureKey ?? "";
      assert.ok(v1Key !== "", started.text);
      const viaNtf = await postV2(`${server.url}/genesys/2/chat-ntf`, { operation: "fileGetLimits", secureKey: v1Key });
      assert.equal(viaNtf.body.errors[0].code, 404);
      const viaRest = await postV2(`${server.url}/genesys/2/chat/customer-support/${stored?.chat?.interactionId}/refresh`, { secureKey: v1Key });
      assert.equal(viaRest.body.errors[0].code, 404);
    } finally {
      await server.close();
    }
  });

  it("a malformed WebSocket frame closes that socket only", async () => {
    await withServer({}, async (server) => {
      const lp = longPoll(server.url);
      const clientId = await anonymousClient(lp);
      const socket = await wsBayeux(server.url, "/genesys/cometd");
      socket.ws.send("{not json");
      assert.equal(await socket.closeCode, 1003);
      const still = await lp([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }]);
      assert.equal(still.body[0].successful, true);
    });
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("has single-node defaults", () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, "sqlite:./data/parley.db");
    assert.equal(config.gmsAppName, "genesys");
    assert.equal(config.expirationSeconds, 5 * 365 * 86_400);
    assert.equal(config.autoCompleteEnabled, false);
  });

  it("reports every problem at once", () => {
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", CS_EXPIRATION: "5 years", LOG_LEVEL: "loud" });
      assert.fail("should have thrown");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 4);
      assert.match(err.message, /PORT=/);
      assert.match(err.message, /CS_EXPIRATION=/);
    }
  });

  it("sizes the SQLite service cache in MiB, 0 for none", () => {
    assert.equal(loadConfig({}).serviceCacheBytes, 32 * 1024 * 1024);
    assert.equal(loadConfig({ CS_SERVICE_CACHE_MB: "0" }).serviceCacheBytes, 0);
    assert.equal(loadConfig({ CS_SERVICE_CACHE_MB: "256" }).serviceCacheBytes, 256 * 1024 * 1024);
    assert.throws(() => loadConfig({ CS_SERVICE_CACHE_MB: "-1" }), /CS_SERVICE_CACHE_MB=/);
    assert.throws(() => loadConfig({ CS_SERVICE_CACHE_MB: "lots" }), /CS_SERVICE_CACHE_MB=/);
  });

  it("limits logins (LOGIN_FAILURES_PER_IP, 0 for none; LOGIN_MAX_PENDING) and routes to ROUTING_ROLES", () => {
    const defaults = loadConfig({});
    assert.deepEqual([defaults.loginFailuresPerIp, defaults.loginMaxPending, defaults.routingRoles], [30, 32, ["ROLE_AGENT"]]);
    assert.equal(loadConfig({ LOGIN_FAILURES_PER_IP: "0" }).loginFailuresPerIp, 0);
    assert.deepEqual(loadConfig({ ROUTING_ROLES: " ROLE_AGENT, ROLE_SUPERVISOR,ROLE_AGENT" }).routingRoles, ["ROLE_AGENT", "ROLE_SUPERVISOR"]);
    assert.throws(() => loadConfig({ LOGIN_MAX_PENDING: "0" }), /LOGIN_MAX_PENDING=/);
    assert.throws(() => loadConfig({ ROUTING_ROLES: "ROLE_AGENT,ROLE_GOD" }), /ROUTING_ROLES=.*ROLE_AGENT, ROLE_SUPERVISOR, ROLE_ADMIN/);
    assert.throws(() => loadConfig({ ROUTING_ROLES: " , " }), /ROUTING_ROLES=/);
  });

  it("keeps a chat for the customer's last agent (LAST_AGENT_WINDOW_SECONDS, LAST_AGENT_WAIT_SECONDS; 0 turns it off)", () => {
    const defaults = loadConfig({});
    assert.deepEqual([defaults.lastAgentWindowSeconds, defaults.lastAgentWaitSeconds], [1800, 10]);
    assert.equal(loadConfig({ LAST_AGENT_WINDOW_SECONDS: "0" }).lastAgentWindowSeconds, 0);
    assert.throws(() => loadConfig({ LAST_AGENT_WAIT_SECONDS: "601" }), /LAST_AGENT_WAIT_SECONDS=/);
  });

  it("takes TRUST_PROXY as true, false or a number of proxies; behind one, no cap on connections per address", () => {
    assert.deepEqual(
      ["", "false", "true", "yes", "2", "0"].map((v) => loadConfig({ TRUST_PROXY: v }).trustProxy),
      [0, 0, 1, 1, 2, 0],
    );
    assert.equal(loadConfig({ TRUST_PROXY: "true" }).maxConnectionsPerIp, 0);
    assert.equal(loadConfig({}).maxConnectionsPerIp, 256);
    assert.throws(() => loadConfig({ TRUST_PROXY: "maybe" }), /TRUST_PROXY="maybe": must be true, false, or the number of proxies/);
    assert.throws(() => loadConfig({ TRUST_PROXY: "11" }), /TRUST_PROXY="11"/);
  });

  it("keeps a chat's attached data within INTERACTION_MAX_DATA_BYTES, and reads CS_HISTORY_RETENTION as a duration", () => {
    assert.throws(() => loadConfig({ CHAT_MAX_DATA_BYTES: "40000" }), /INTERACTION_MAX_DATA_BYTES must leave room/);
    assert.equal(loadConfig({ CHAT_MAX_DATA_BYTES: "40000", INTERACTION_MAX_DATA_BYTES: "90000" }).chatMaxDataBytes, 40_000);
    assert.equal(loadConfig({}).historyRetentionSeconds, null);
    assert.equal(loadConfig({ CS_HISTORY_RETENTION: "400d" }).historyRetentionSeconds, 400 * 86_400);
  });

  it("reads CORS_ORIGINS as origins, none by default; a path, a query or * is refused", () => {
    assert.deepEqual(loadConfig({}).corsOrigins, []);
    assert.deepEqual(loadConfig({ CORS_ORIGINS: "https://Shop.example.com, http://localhost:5173/,https://shop.example.com" }).corsOrigins, [
      "https://shop.example.com",
      "http://localhost:5173",
    ]);
    for (const bad of ["*", "https://shop.example.com/widget", "https://shop.example.com?x=1", "ftp://shop.example.com", "shop.example.com"]) {
      assert.throws(() => loadConfig({ CORS_ORIGINS: bad }), /CORS_ORIGINS=/, bad);
    }
  });

  it("refuses OPS_BIND on the main port", () => {
    assert.throws(() => loadConfig({ PORT: "9000", OPS_BIND: "127.0.0.1:9000" }), /OPS_BIND must name another port than PORT/);
    assert.equal(loadConfig({ PORT: "9000", OPS_BIND: "127.0.0.1:9001" }).opsBind?.port, 9001);
  });

  it("parses GMS durations", () => {
    assert.equal(loadConfig({ CS_EXPIRATION: "2w" }).expirationSeconds, 14 * 86_400);
    assert.equal(loadConfig({ CS_EXPIRATION: "1M" }).expirationSeconds, 30 * 86_400);
  });
});

describe("PARLEY_CONFIG", () => {
  const file = (content: unknown): string => {
    const path = join(mkdtempSync(join(tmpdir(), "parley-config-")), "parley.json");
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };

  it("has the two seed services and Widgets' customer-support on queue default without a file", () => {
    const config = loadConfig({});
    assert.deepEqual(
      config.chatServices.map((s) => [s.name, s.kind, s.queue]),
      [
        ["request-chat", "basic", "default"],
        ["request-chat-poll", "advanced", "default"],
        ["customer-support", "basic", "default"],
      ],
    );
    assert.equal(config.chatServices[0]?.push.provider, "comet");
  });

  it("adds services and queues, and may redefine a seed service", () => {
    const config = loadConfig({
      PARLEY_CONFIG: file({
        queues: [{ name: "vip", skills: [{ name: "english", level: 3 }], wrapUpSeconds: 30, serviceLevelSeconds: 40, maxWaiting: 25 }],
        push: { backgroundDelaySeconds: 10 },
        chatServices: [
          { name: "vip-chat", kind: "advanced", queue: "vip", ttlSeconds: 600, push: { provider: "httpcb", url: "https://push.example/notify" } },
          { name: "request-chat", kind: "basic", queue: "vip" },
        ],
      }),
    });
    assert.deepEqual(config.queues, [
      {
        name: "vip",
        skills: [{ name: "english", level: 3 }],
        wrapUpSeconds: 30,
        serviceLevelSeconds: 40,
        shortAbandonSeconds: 5,
        maxWaiting: 25,
        overflow: [],
      },
    ]);
    const byName = new Map(config.chatServices.map((s) => [s.name, s]));
    assert.equal(byName.get("request-chat")?.queue, "vip");
    assert.equal(byName.get("request-chat-poll")?.push.backgroundDelayMs, 10_000);
    assert.deepEqual(byName.get("vip-chat")?.push, {
      provider: "httpcb",
      url: "https://push.example/notify",
      backgroundDelayMs: 10_000,
      pokeMessage: byName.get("request-chat")?.push.pokeMessage,
    });
  });

  it("reads a queue's overflow steps (defaults filled in) and a chat service's priority", () => {
    const config = loadConfig({
      PARLEY_CONFIG: file({
        queues: [
          {
            name: "sales",
            overflow: [
              { afterSeconds: 30, lowerSkillLevelBy: 2 },
              { afterSeconds: 60, addQueues: ["support"], raisePriorityBy: 50 },
            ],
          },
        ],
        chatServices: [{ name: "gold", kind: "basic", queue: "sales", priority: 700 }],
      }),
    });
    assert.deepEqual(config.queues[0]?.overflow, [
      { afterSeconds: 30, lowerSkillLevelBy: 2, addQueues: [], raisePriorityBy: 0 },
      { afterSeconds: 60, lowerSkillLevelBy: 0, addQueues: ["support"], raisePriorityBy: 50 },
    ]);
    assert.equal(config.chatServices.find((s) => s.name === "gold")?.priority, 700);
    assert.equal(config.chatServices.find((s) => s.name === "request-chat")?.priority, 0);
  });

  it("refuses overflow steps and priorities out of range or out of order, naming each", () => {
    try {
      loadConfig({
        PARLEY_CONFIG: file({
          queues: [
            {
              name: "a",
              overflow: [{ afterSeconds: 60 }, { afterSeconds: 30 }, { afterSeconds: 90, lowerSkillLevelBy: -1, addQueues: ["bad name"], extra: 1 }],
            },
            { name: "b", overflow: { afterSeconds: 1 } },
          ],
          chatServices: [{ name: "x", kind: "basic", priority: 1001 }],
        }),
      });
      assert.fail("should have thrown");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join("\n");
      for (const part of [
        "queues[0].overflow[1].afterSeconds",
        "queues[0].overflow[2].lowerSkillLevelBy",
        "queues[0].overflow[2].addQueues",
        "queues[0].overflow[2].extra",
        "queues[1].overflow",
        "chatServices[0].priority",
      ]) {
        assert.ok(text.includes(part), `${part} in\n${text}`);
      }
    }
  });

  it("reports every problem in the file, with its path, together with the environment's", () => {
    try {
      loadConfig({
        PORT: "x",
        PARLEY_CONFIG: file({
          chatServices: [{ name: "status", kind: "fancy", ttlSeconds: 1, disconnectedAs400: "yes", push: { provider: "httpcb" } }],
          queues: [{ name: "bad name" }, { name: "q", wrapUpSeconds: -1, maxWaiting: "many", colour: "red" }],
          businessAttributes: [{ name: "MediaType", cv_attributes: ["Service.colour"], values: [] }],
          extra: true,
        }),
      });
      assert.fail("should have thrown");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join("\n");
      for (const part of [
        "PORT=",
        "chatServices[0].name",
        "chatServices[0].kind",
        "chatServices[0].ttlSeconds",
        "chatServices[0].disconnectedAs400",
        "chatServices[0].push.url",
        "queues[0].name",
        "queues[1].wrapUpSeconds",
        "queues[1].maxWaiting",
        "queues[1].colour",
        "businessAttributes[0].cv_attributes",
        "PARLEY_CONFIG extra",
      ]) {
        assert.ok(text.includes(part), `${part} in\n${text}`);
      }
    }
    assert.throws(() => loadConfig({ PARLEY_CONFIG: file("{not json") }), /PARLEY_CONFIG=/);
    assert.throws(() => loadConfig({ STATISTICS_TIME_ZONE: "Mars/Olympus" }), /STATISTICS_TIME_ZONE/);
    assert.throws(() => loadConfig({ PARLEY_CONFIG: "/no/such/file.json" }), /PARLEY_CONFIG=\/no\/such\/file.json/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
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

  it("parses GMS durations", () => {
    assert.equal(loadConfig({ CS_EXPIRATION: "2w" }).expirationSeconds, 14 * 86_400);
    assert.equal(loadConfig({ CS_EXPIRATION: "1M" }).expirationSeconds, 30 * 86_400);
  });
});

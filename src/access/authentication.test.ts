import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite.ts";
import type { Store } from "../store/store.ts";
import { AgentAuthentication } from "./authentication.ts";
import { hashPassword } from "./passwords.ts";

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("AgentAuthentication with its failure table full", () => {
  let store: Store;
  before(async () => {
    store = await openSqliteStore({ path: ":memory:", synchronous: "normal", serviceCacheBytes: 0 });
    const now = Date.now();
    const passwordHash = await hashPassword("ann-password");
    await store.transaction((tx) =>
      tx.users.insert({
        id: "ann",
        userName: "ann",
        firstName: "",
        lastName: "",
        roles: ["ROLE_AGENT"],
        skills: [],
        capacity: { chat: 3, openmedia: 3, email: 3, sms: 3 },
        passwordHash,
        enabled: true,
        createdAt: now,
        updatedAt: now,
      }),
    );
  });
  after(() => store.close());

  it("an address that never failed logs in without a delay, though names without a slot share the flood's count", async () => {
    const delays: number[] = [];
    const auth = new AgentAuthentication(store, {
      sessionTtlMs: 60_000,
      failuresPerAddress: 1000,
      maxPending: 32,
      now: Date.now,
      maxRemembered: 2,
      sleep: async (ms) => void delays.push(ms),
    });
    // A flood fills the table with names of many failures, then more names share its overflow.
    for (const name of ["junk1", "junk2", "junk3", "junk4"]) {
      for (let i = 0; i < 5; i++) assert.equal(await auth.authenticate({ headers: basic(name, "x"), address: "203.0.113.9" }), null);
    }
    assert.ok(delays.length > 0, "the flood itself is slowed down");
    delays.length = 0;
    const ann = await auth.authenticate({ headers: basic("ann", "ann-password"), address: "198.51.100.1" });
    assert.equal(ann?.user.id, "ann");
    assert.deepEqual(delays, [], "no delay for an address with no failures");
  });
});

/** Users and their login sessions. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { UniqueViolation } from "../../../src/store/store.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function usersContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("users and sessions", () => {
    const user = (id: string, userName: string) => ({
      id,
      userName,
      firstName: "Ada",
      lastName: "Lovelace",
      roles: ["ROLE_AGENT" as const],
      skills: [{ name: "english", level: 5 }],
      capacity: { chat: 3, openmedia: 1, email: 3, sms: 3 },
      passwordHash: "scrypt$x",
      enabled: true,
      createdAt: T0,
      updatedAt: T0,
    });

    it("inserts, refuses a taken user name, reads by id and name, lists, updates and deletes", async () => {
      await store.users.insert(user("u1", "ada"));
      await store.users.insert(user("u2", "bob"));
      await assert.rejects(store.users.insert(user("u3", "ada")), UniqueViolation);
      assert.deepEqual(await store.users.get("u1"), user("u1", "ada"));
      assert.equal((await store.users.getByName("bob"))?.id, "u2");
      assert.equal(await store.users.getByName("nobody"), null);
      assert.deepEqual(
        (await store.users.list()).map((u) => u.userName),
        ["ada", "bob"],
      );
      await assert.rejects(store.users.update({ ...user("u2", "ada") }), UniqueViolation);
      await store.users.update({ ...user("u2", "robert"), roles: ["ROLE_SUPERVISOR"], enabled: false, updatedAt: T0 + 1 });
      const updated = await store.users.get("u2");
      assert.deepEqual([updated?.userName, updated?.roles, updated?.enabled, updated?.createdAt], ["robert", ["ROLE_SUPERVISOR"], false, T0]);
      assert.equal(await store.users.delete("u2"), true);
      assert.equal(await store.users.delete("u2"), false);
    });

    it("keeps sessions until they expire, and drops them with their user", async () => {
      await store.users.insert(user("s1", "sessioned"));
      await store.userSessions.insert({ tokenHash: "h1", userId: "s1", createdAt: T0, expiresAt: T0 + 1000 });
      await store.userSessions.insert({ tokenHash: "h2", userId: "s1", createdAt: T0, expiresAt: T0 + 10 });
      assert.equal((await store.userSessions.get("h1", T0 + 500))?.userId, "s1");
      assert.equal(await store.userSessions.get("h2", T0 + 10), null, "expired");
      assert.equal(await store.userSessions.deleteExpired(T0 + 10), 1);
      await store.users.delete("s1");
      assert.equal(await store.userSessions.get("h1", T0), null);
    });

    it("ends one session, or every session of one user", async () => {
      await store.users.insert(user("e1", "ending"));
      await store.users.insert(user("e2", "staying"));
      const sessions: [string, string][] = [
        ["e1a", "e1"],
        ["e1b", "e1"],
        ["e1c", "e1"],
        ["e2a", "e2"],
      ];
      for (const [tokenHash, userId] of sessions) await store.userSessions.insert({ tokenHash, userId, createdAt: T0, expiresAt: T0 + 1000 });
      assert.equal(await store.userSessions.delete("e1a"), true);
      assert.equal(await store.userSessions.delete("e1a"), false);
      assert.equal(await store.userSessions.get("e1a", T0), null);
      assert.equal(await store.userSessions.deleteForUser("e1"), 2);
      assert.equal(await store.userSessions.get("e1b", T0), null);
      assert.equal(await store.userSessions.get("e1c", T0), null);
      assert.equal((await store.userSessions.get("e2a", T0))?.userId, "e2", "another user's session stays");
      assert.equal(await store.userSessions.deleteForUser("e1"), 0);
    });

    it("lists every user's channel states at once, as each user's list has them", async () => {
      await store.users.insert(user("c1", "channels-one"));
      await store.users.insert(user("c2", "channels-two"));
      await store.users.insert(user("c3", "channels-none"));
      await store.agentChannels.set("c1", { channel: "chat", state: "Ready", reason: null, changedAt: T0 });
      await store.agentChannels.set("c1", { channel: "openmedia", state: "NotReady", reason: "Lunch", changedAt: T0 + 1 });
      await store.agentChannels.set("c2", { channel: "sms", state: "Ready", reason: null, changedAt: T0 + 2 });
      const all = await store.agentChannels.listAll();
      assert.deepEqual(all.get("c1"), await store.agentChannels.list("c1"));
      assert.deepEqual(
        all.get("c1")?.map((c) => [c.channel, c.state, c.reason]),
        [
          ["chat", "Ready", null],
          ["openmedia", "NotReady", "Lunch"],
        ],
      );
      assert.deepEqual(all.get("c2"), [{ channel: "sms", state: "Ready", reason: null, changedAt: T0 + 2 }]);
      assert.equal(all.has("c3"), false, "no rows: no entry (NotReady everywhere)");
    });
  });
}

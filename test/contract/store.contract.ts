/**
 * The store contract: behaviour every Store implementation must have, written once against the
 * interface and run for SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeWith } from "../support/suites.ts";
import type { AgentInteraction } from "../../src/domain/agent-interactions.ts";
import type { Chat, ChatService } from "../../src/domain/chat.ts";
import type { NewInteraction } from "../../src/domain/interactions.ts";
import type { NewService, Store } from "../../src/store/store.ts";
import { UniqueViolation } from "../../src/store/store.ts";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");

function newService(overrides: Partial<NewService> = {}): NewService {
  return {
    customerId: "C1",
    contactKey: null,
    type: "support",
    started: { timestamp: new Date(T0).toISOString() },
    extensions: {},
    startedAt: T0,
    updatedAt: T0,
    autoCompleteAfter: null,
    expiresAt: T0 + 86_400_000,
    expiryPinned: false,
    ...overrides,
  };
}

function newInteraction(id: string, overrides: Partial<NewInteraction> = {}): NewInteraction {
  return {
    id,
    customerId: "C1",
    serviceId: null,
    mediaType: "chat",
    type: "Inbound",
    subType: null,
    status: 3,
    entityType: 2,
    subject: null,
    threadId: null,
    externalId: null,
    ownerId: null,
    creatorAppId: null,
    startDate: T0,
    endDate: null,
    establishedDate: null,
    releasedDate: null,
    udata: {},
    content: { plainText: null, structuredText: null, structuredTextMime: null, binaryContent: null, binaryContentMime: null },
    ...overrides,
  };
}

/** Registers the contract suite for one implementation; `open` gives a fresh, empty store. */
export function storeContract(name: string, open: () => Promise<Store>, skip: string | false = false): void {
  describeWith(`store contract: ${name}`, skip, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store?.close());

    describe("services", () => {
      it("inserts and reads back a service, JSON echoed exactly", async () => {
        const extensions = { Cart: { items: [1, "2", { three: null }] }, "car type": "s.u.v." };
        const id = await store.services.insert(newService({ type: "1", extensions }));
        const service = await store.services.get(id);
        assert.ok(service);
        assert.equal(service.id, id);
        assert.equal(service.type, "1");
        assert.deepEqual(service.extensions, extensions);
        assert.equal(service.completed, null);
        assert.equal(service.startedAt, T0);
        const withoutExtensions = await store.services.get(id, { withExtensions: false });
        assert.deepEqual(withoutExtensions, { ...service, extensions: {} });
      });

      it("assigns increasing numeric ids and finds nothing for foreign ids", async () => {
        const a = Number(await store.services.insert(newService()));
        const b = Number(await store.services.insert(newService()));
        assert.ok(b > a);
        for (const foreign of ["abc", "-1", "1.5", "99999999999999999999", "", "383-f9a62aec"]) {
          assert.equal(await store.services.get(foreign), null, foreign);
        }
      });

      it("lists by customer or anonymous contact key, by status, type, time, and the latest N", async () => {
        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          ids.push(await store.services.insert(newService({ customerId: "L1", type: i % 2, startedAt: T0 + i * 1000 })));
        }
        await store.services.update(ids[0]!, { completed: { timestamp: "x" }, completedAt: T0 + 5000 });
        const anon = await store.services.insert(newService({ customerId: null, contactKey: "K1" }));
        await store.services.insert(newService({ customerId: "L1", contactKey: "K1" }));
        const idsOf = async (q: Parameters<Store["services"]["list"]>[0]) => (await store.services.list(q)).map((s) => s.id);
        assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["0", "1"] }), ids);
        assert.deepEqual(await idsOf({ customerId: "L1", status: "active", types: ["0", "1"] }), ids.slice(1));
        assert.deepEqual(await idsOf({ customerId: "L1", status: "completed" }), [ids[0]]);
        assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["1"] }), [ids[1], ids[3]]);
        assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["0", "1"], latest: 2 }), ids.slice(2));
        assert.deepEqual(await idsOf({ customerId: "L1", status: "all", types: ["0", "1"], startedFrom: T0 + 1000, startedTo: T0 + 3000 }), [ids[1], ids[2]]);
        assert.deepEqual(await idsOf({ customerId: "L1", status: "all", completedFrom: T0 + 5000, completedTo: T0 + 5001 }), [ids[0]]);
        assert.deepEqual(await idsOf({ anonymousContactKey: "K1", status: "all" }), [anon]);
      });

      it("sizes a list before loading it, and loads it without extensions when asked", async () => {
        const started = { timestamp: "2026-01-01T00:00:00.000Z" };
        const extensions = { note: "é".repeat(100) };
        const a = await store.services.insert(newService({ customerId: "SZ", started, extensions, startedAt: T0 }));
        await store.services.insert(newService({ customerId: "SZ", started, extensions, startedAt: T0 + 1 }));
        const one = Buffer.byteLength(JSON.stringify(started)) + Buffer.byteLength(JSON.stringify(extensions));
        assert.equal(await store.services.listBytes({ customerId: "SZ", status: "all" }), 2 * one, "UTF-8 bytes, not characters");
        assert.equal(await store.services.listBytes({ customerId: "SZ", status: "all", latest: 1 }), one);
        assert.equal(
          await store.services.listBytes({ customerId: "SZ", status: "all", withExtensions: false }),
          2 * Buffer.byteLength(JSON.stringify(started)),
        );
        assert.equal(await store.services.listBytes({ customerId: "nobody", status: "all" }), 0);
        const bare = await store.services.list({ customerId: "SZ", status: "all", withExtensions: false });
        assert.deepEqual(
          bare.map((s) => s.extensions),
          [{}, {}],
        );
        assert.deepEqual(bare[0]?.started, started);
        await store.tasks.insert(1, { serviceId: a, type: null, started, extensions, startedAt: T0, stateId: null });
        assert.equal(await store.tasks.bytesForServices([a], "all"), one);
        assert.equal(await store.tasks.bytesForServices([a], "all", false), Buffer.byteLength(JSON.stringify(started)));
        assert.deepEqual(
          (await store.tasks.listForServices([a], "all", false)).map((t) => t.extensions),
          [{}],
        );
        assert.equal(await store.states.bytesForServices([a, "nope"], "active"), 0);
      });

      it("finds the newest active service with exactly the given keys", async () => {
        const older = await store.services.insert(newService({ customerId: "F1", contactKey: null, type: 7, startedAt: T0 }));
        const newer = await store.services.insert(newService({ customerId: "F1", contactKey: null, type: 7, startedAt: T0 + 1 }));
        await store.services.insert(newService({ customerId: "F1", contactKey: "other", type: 7 }));
        assert.equal((await store.services.findActive({ customerId: "F1", contactKey: null, type: 7 }))?.id, newer);
        await store.services.update(newer, { completed: {}, completedAt: T0 + 2 });
        assert.equal((await store.services.findActive({ customerId: "F1", contactKey: null, type: 7 }))?.id, older);
        assert.equal(await store.services.findActive({ customerId: "F1", contactKey: null, type: "7" }), null);
      });

      it("touch moves the auto-complete deadline and the expiry unless pinned", async () => {
        const id = await store.services.insert(newService({ autoCompleteAfter: 60 }));
        const pinned = await store.services.insert(newService({ expiryPinned: true, expiresAt: T0 + 5 }));
        assert.deepEqual(await store.services.dueForAutoComplete(T0 + 60_000, 1000).then((ids) => ids.includes(id)), true);
        assert.equal(await store.services.touch(id, T0 + 30_000, T0 + 999_999), true);
        assert.equal((await store.services.dueForAutoComplete(T0 + 60_000, 1000)).includes(id), false);
        assert.equal((await store.services.dueForAutoComplete(T0 + 90_000, 1000)).includes(id), true);
        assert.equal((await store.services.get(id))?.expiresAt, T0 + 999_999);
        await store.services.touch(pinned, T0 + 1, T0 + 999_999);
        assert.equal((await store.services.get(pinned))?.expiresAt, T0 + 5);
        assert.ok((await store.services.expired(T0 + 6, 1000)).includes(pinned));
        assert.equal(await store.services.touch("123456789012", T0, T0), false);
      });

      it("allocates child ids per service, starting at 1, and nothing for unknown services", async () => {
        const a = await store.services.insert(newService());
        const b = await store.services.insert(newService());
        assert.equal(await store.services.nextStepId(a, "state", T0, T0), 1);
        assert.equal(await store.services.nextStepId(a, "state", T0, T0), 2);
        assert.equal(await store.services.nextStepId(a, "task", T0, T0), 1);
        assert.equal(await store.services.nextStepId(b, "state", T0, T0), 1);
        assert.equal(await store.services.nextStepId("999999999", "task", T0, T0), null);
      });

      it("allocates distinct ids under concurrent transactions", async () => {
        const id = await store.services.insert(newService());
        const ids = await Promise.all(Array.from({ length: 20 }, () => store.transaction((tx) => tx.services.nextStepId(id, "task", T0, T0))));
        assert.equal(new Set(ids).size, 20);
      });

      it("deletes a service with its states and tasks", async () => {
        const id = await store.services.insert(newService());
        await store.states.insert(1, { serviceId: id, type: null, previousStateId: null, started: {}, extensions: {}, startedAt: T0 });
        await store.tasks.insert(1, { serviceId: id, type: null, stateId: 1, started: {}, extensions: {}, startedAt: T0 });
        assert.equal(await store.services.delete(id), true);
        assert.equal(await store.services.get(id), null);
        assert.equal(await store.states.get(id, 1), null);
        assert.equal(await store.tasks.get(id, 1), null);
        assert.equal(await store.services.delete(id), false);
      });
    });

    // Each case reads the service first, in both forms, so a store that keeps reads in memory
    // (SQLite's service cache) holds the old row when the change comes: the read after it must
    // show the change, whichever path made it.
    describe("a read after any change to a service shows the change", () => {
      type Read = Awaited<ReturnType<Store["services"]["get"]>>;
      async function readBoth(id: string): Promise<[Read, Read]> {
        return [await store.services.get(id), await store.services.get(id, { withExtensions: false })];
      }
      /** Inserts a service, reads it, changes it, and checks both forms read after the change. */
      async function changed(change: (id: string) => Promise<unknown>, expect: (s: Read, full: boolean) => void, overrides: Partial<NewService> = {}) {
        const id = await store.services.insert(newService({ customerId: `RC-${Math.random()}`, extensions: { v: 1 }, ...overrides }));
        const [full, bare] = await readBoth(id);
        assert.deepEqual(full?.extensions, { v: 1 });
        assert.deepEqual(bare?.extensions, {});
        await change(id);
        const after = await readBoth(id);
        expect(after[0], true);
        expect(after[1], false);
      }

      it("update, in every field", async () => {
        await changed(
          (id) => store.services.update(id, { completed: { done: true }, completedAt: T0 + 1, customerId: "RC-other", extensions: { v: 2 } }),
          (s) => {
            assert.deepEqual(s?.completed, { done: true });
            assert.equal(s?.customerId, "RC-other");
          },
        );
        await changed(
          (id) => store.services.update(id, { extensions: { v: 2 } }),
          (s, full) => assert.deepEqual(s?.extensions, full ? { v: 2 } : {}),
        );
      });

      it("touch and child ids", async () => {
        await changed(
          (id) => store.services.touch(id, T0 + 5, T0 + 777),
          (s) => assert.equal(s?.expiresAt, T0 + 777),
        );
        await changed(
          (id) => store.services.nextStepId(id, "state", T0 + 6, T0 + 888),
          (s) => assert.equal(s?.updatedAt, T0 + 6),
        );
      });

      it("delete, purge and erasure", async () => {
        await changed(
          (id) => store.services.delete(id),
          (s) => assert.equal(s, null),
        );
        const longAgo = T0 - 10 * 365 * 86_400_000;
        await changed(
          () => store.services.purge({ startedBefore: longAgo + 1, which: "all", anonymousOnly: false }, 100_000),
          (s) => assert.equal(s, null),
          { startedAt: longAgo },
        );
        let customer = "";
        await changed(
          async (id) => {
            customer = (await store.services.get(id))?.customerId ?? "";
            return store.services.deleteByCustomer(customer);
          },
          (s) => assert.equal(s, null),
        );
      });

      it("merge", async () => {
        await changed(
          async (id) => store.services.reassignCustomer((await store.services.get(id))?.customerId ?? "", "RC-merged"),
          (s) => assert.equal(s?.customerId, "RC-merged"),
        );
      });

      it("inside a transaction, seen once it commits and never if it rolls back", async () => {
        await changed(
          (id) => store.transaction((tx) => tx.services.update(id, { customerId: "RC-tx" })),
          (s) => assert.equal(s?.customerId, "RC-tx"),
        );
        await changed(
          (id) =>
            store
              .transaction(async (tx) => {
                await tx.services.update(id, { customerId: "RC-rolled-back" });
                assert.equal((await tx.services.get(id))?.customerId, "RC-rolled-back", "the transaction sees its own write");
                throw new Error("roll back");
              })
              .catch(() => undefined),
          (s) => assert.match(s?.customerId ?? "", /^RC-0\./),
        );
      });
    });

    describe("states and tasks", () => {
      it("stores, lists and completes children once", async () => {
        const sid = await store.services.insert(newService());
        const child = { serviceId: sid, started: { timestamp: "t" }, extensions: { E: [1] }, startedAt: T0 };
        await store.states.insert(1, { ...child, type: "A", previousStateId: null });
        await store.states.insert(2, { ...child, type: 2, previousStateId: 1 });
        await store.tasks.insert(1, { ...child, type: "t", stateId: 2 });
        await store.tasks.insert(2, { ...child, type: "u", stateId: null });
        assert.equal(await store.states.update(sid, 1, { completed: { d: 1 }, completedAt: T0 + 1 }), true);
        assert.equal(await store.states.update(sid, 1, { completed: { d: 2 }, completedAt: T0 + 2 }), false, "completes once");
        assert.deepEqual((await store.states.get(sid, 1))?.completed, { d: 1 });
        assert.deepEqual(
          (await store.states.list(sid, { status: "active" })).map((s) => s.id),
          [2],
        );
        assert.deepEqual(
          (await store.states.list(sid, { status: "all", types: ['"A"'] })).map((s) => s.id),
          [1],
        );
        assert.equal((await store.states.get(sid, 2))?.previousStateId, 1);
        assert.deepEqual(
          (await store.tasks.list(sid, { status: "all", stateId: 2 })).map((t) => t.id),
          [1],
        );
        assert.deepEqual(
          (await store.tasks.listForServices([sid, "nope"], "all")).map((t) => t.id),
          [1, 2],
        );
        assert.equal((await store.tasks.findActiveByType(sid, "t", 2))?.id, 1);
        assert.equal(await store.tasks.findActiveByType(sid, "t", null), null);
        assert.equal((await store.states.findActiveByType(sid, 2))?.id, 2);
        assert.equal(await store.tasks.completeAllActive(sid, { timestamp: "end" }, T0 + 9), 2);
        assert.equal((await store.tasks.list(sid, { status: "active" })).length, 0);
        assert.deepEqual((await store.tasks.get(sid, 2))?.extensions, { E: [1] });
      });
    });

    describe("transactions", () => {
      it("isolates concurrent transactions: a failing one rolls back only its own writes", async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            store.transaction(async (tx) => {
              const id = await tx.services.insert(newService({ customerId: `ISO${i}` }));
              if (i % 3 === 0) throw new Error(`unit ${i} fails`);
              return id;
            }),
          ),
        );
        for (const [i, outcome] of outcomes.entries()) {
          const found = await store.services.list({ customerId: `ISO${i}`, status: "all" });
          if (i % 3 === 0) {
            assert.equal(outcome.status, "rejected");
            assert.equal(found.length, 0, `unit ${i} left nothing behind`);
          } else {
            assert.equal(outcome.status, "fulfilled");
            assert.equal(found.length, 1, `unit ${i} committed once`);
            assert.equal(found[0]?.id, (outcome as PromiseFulfilledResult<string>).value);
          }
        }
      });

      it("rolls back everything when the work throws", async () => {
        let id = "";
        await assert.rejects(
          store.transaction(async (tx) => {
            id = await tx.services.insert(newService({ customerId: "ROLLBACK" }));
            await tx.services.nextStepId(id, "state", T0, T0);
            throw new Error("boom");
          }),
          /boom/,
        );
        assert.equal(await store.services.get(id), null);
      });

      it("never shows a read the writes of a transaction still open, which then rolls back", async () => {
        // The row exists only inside the open transaction when the read is issued; the
        // transaction then fails. A read that ran at once on the shared connection would see it.
        let inserted!: (id: string) => void;
        const insertedId = new Promise<string>((resolve) => (inserted = resolve));
        let fail!: () => void;
        const failing = new Promise<void>((resolve) => (fail = resolve));
        const work = store.transaction(async (tx) => {
          inserted(await tx.services.insert(newService({ customerId: "UNCOMMITTED" })));
          await failing;
          throw new Error("rolled back");
        });
        const id = await insertedId;
        const read = store.services.get(id);
        fail();
        await assert.rejects(work, /rolled back/);
        assert.equal(await read, null);
      });
    });

    describe("customers", () => {
      it("inserts, refuses a taken id, updates and identifies by every key", async () => {
        const customer = { id: "CUST1", attributes: { LastName: "Doe" }, extensions: {}, createdAt: T0, updatedAt: T0 };
        await store.customers.insert(customer, [
          { name: "LastName", value: "Doe" },
          { name: "Email", value: "a@b" },
        ]);
        await store.customers.insert({ ...customer, id: "CUST2" }, [{ name: "LastName", value: "Doe" }]);
        await assert.rejects(store.customers.insert(customer, []), UniqueViolation);
        assert.deepEqual(await store.customers.identify([{ name: "LastName", value: "Doe" }], 10), ["CUST1", "CUST2"]);
        assert.deepEqual(
          await store.customers.identify(
            [
              { name: "LastName", value: "Doe" },
              { name: "Email", value: "a@b" },
            ],
            10,
          ),
          ["CUST1"],
        );
        assert.deepEqual(await store.customers.identify([{ name: "LastName", value: "Doe" }], 1), ["CUST1"]);
        await store.customers.update({ ...customer, attributes: { LastName: "Roe" }, updatedAt: T0 + 1 }, [{ name: "LastName", value: "Roe" }]);
        assert.deepEqual((await store.customers.get("CUST1"))?.attributes, { LastName: "Roe" });
        assert.deepEqual(await store.customers.identify([{ name: "Email", value: "a@b" }], 10), []);
        assert.equal(await store.customers.get("nobody"), null);
      });

      it("erases and reassigns a customer's services and history (erasure, merge)", async () => {
        const customer = { id: "GONE", attributes: {}, extensions: {}, createdAt: T0, updatedAt: T0 };
        await store.customers.insert(customer, [{ name: "Email", value: "gone@x" }]);
        const doomed = await store.services.insert(newService({ customerId: "GONE" }));
        const moved = await store.services.insert(newService({ customerId: "FROM" }));
        await store.states.insert(1, { serviceId: doomed, type: "s", started: {}, extensions: {}, startedAt: T0, previousStateId: null });
        await store.history.insert(newInteraction("IXGONE", { customerId: "GONE" }));
        await store.history.insert(newInteraction("IXFROM", { customerId: "FROM" }));
        assert.equal(await store.services.deleteByCustomer("GONE"), 1);
        assert.equal(await store.services.get(doomed), null);
        assert.deepEqual(await store.states.list(doomed, { status: "all" }), []);
        assert.equal(await store.history.deleteByCustomer("GONE"), 1);
        assert.equal(await store.history.get("IXGONE"), null);
        assert.equal(await store.customers.delete("GONE"), true);
        assert.equal(await store.customers.delete("GONE"), false);
        assert.deepEqual(await store.customers.identify([{ name: "Email", value: "gone@x" }], 10), []);
        assert.equal(await store.services.reassignCustomer("FROM", "TO"), 1);
        assert.equal((await store.services.get(moved))?.customerId, "TO");
        assert.equal(await store.history.reassignCustomer("FROM", "TO"), 1);
        assert.equal((await store.history.get("IXFROM"))?.customerId, "TO");
      });
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
    });

    describe("agent interactions and queues", () => {
      const work = (id: string, over: Partial<AgentInteraction> = {}): AgentInteraction => ({
        id,
        mediaType: "openmedia",
        state: "Queued",
        queue: "q1",
        ownerId: null,
        invitation: null,
        conference: [],
        lastRejectedBy: null,
        workbin: null,
        properties: { k: "v" },
        customerId: null,
        createdAt: T0,
        queuedAt: T0,
        updatedAt: T0,
        completedAt: null,
        ...over,
      });

      it("stores queues and interactions, updates only from the expected version, counts and orders them", async () => {
        await store.queues.insert({ name: "q1", skills: [{ name: "en", level: 2 }], createdAt: T0 });
        await assert.rejects(store.queues.insert({ name: "q1", skills: [], createdAt: T0 }), UniqueViolation);
        assert.deepEqual((await store.queues.get("q1"))?.skills, [{ name: "en", level: 2 }]);
        await store.agentInteractions.insert(work("w2", { queuedAt: T0 + 2 }));
        await store.agentInteractions.insert(work("w1", { queuedAt: T0 + 1 }));
        await store.agentInteractions.insert(work("w3", { queuedAt: T0 + 3 }));
        assert.deepEqual(
          (await store.agentInteractions.queued(10)).map((w) => w.id),
          ["w1", "w2", "w3"],
        );
        assert.deepEqual(await store.agentInteractions.queuePosition("q1", "w2"), { waiting: 3, position: 2 });
        assert.deepEqual(await store.agentInteractions.queuePosition("q1", "nope"), { waiting: 3, position: null });

        const w1 = (await store.agentInteractions.get("w1"))!;
        const offered = { ...w1, state: "Invited" as const, invitation: { agentId: "a1", kind: "route" as const, expiresAt: T0 + 50 }, updatedAt: T0 + 10 };
        assert.equal(await store.agentInteractions.update(offered, { updatedAt: T0, state: "Queued" }), true);
        assert.equal(await store.agentInteractions.update(offered, { updatedAt: T0, state: "Queued" }), false, "a stale version changes nothing");
        assert.deepEqual((await store.agentInteractions.get("w1"))?.invitation, offered.invitation);
        assert.deepEqual(
          (await store.agentInteractions.expiredOffers(T0 + 50, 10)).map((w) => w.id),
          ["w1"],
        );

        const w2 = (await store.agentInteractions.get("w2"))!;
        const conferenced = { ...w2, state: "Accepted" as const, ownerId: "a2", conference: ["a1"], updatedAt: T0 + 11 };
        await store.agentInteractions.update(conferenced, { updatedAt: w2.updatedAt, state: "Queued" });
        assert.equal(await store.agentInteractions.load("a1", "openmedia"), 2, "an offer and a conference seat");
        assert.deepEqual([...(await store.agentInteractions.loads("openmedia")).entries()].sort(), [
          ["a1", 2],
          ["a2", 1],
        ]);
        assert.deepEqual((await store.agentInteractions.involving("a1")).map((w) => w.id).sort(), ["w1", "w2"]);
        assert.deepEqual((await store.agentInteractions.waiting()).get("q1"), { count: 1, oldestQueuedAt: T0 + 3 });

        const done = { ...conferenced, state: "Completed" as const, conference: [], completedAt: T0 + 1011, updatedAt: T0 + 1011 };
        await store.agentInteractions.update(done, { updatedAt: T0 + 11, state: "Accepted" });
        assert.equal(await store.agentInteractions.averageHandleMs("q1", 100), 1011);
        assert.equal(await store.agentInteractions.averageHandleMs("q9", 100), null);
      });

      it("deletes interactions completed before a time, oldest first, at most a batch; open ones stay", async () => {
        await store.agentInteractions.insert(work("old1", { state: "Completed", completedAt: T0 - 3_000_000 }));
        await store.agentInteractions.insert(work("old2", { state: "Completed", completedAt: T0 - 2_000_000 }));
        await store.agentInteractions.insert(work("recent", { state: "Completed", completedAt: T0 }));
        await store.agentInteractions.insert(work("open", { queuedAt: T0 - 5_000_000 }));
        assert.equal(await store.agentInteractions.deleteCompletedBefore(T0 - 500_000, 1), 1);
        assert.equal(await store.agentInteractions.get("old1"), null);
        assert.equal(await store.agentInteractions.deleteCompletedBefore(T0 - 500_000, 10), 1);
        assert.equal(await store.agentInteractions.get("old2"), null);
        assert.notEqual(await store.agentInteractions.get("recent"), null);
        assert.notEqual(await store.agentInteractions.get("open"), null);
      });
    });

    describe("metadata", () => {
      it("keeps schemas by kind and case-insensitive name, oldest first, once each", async () => {
        assert.equal(await store.metadata.insert("extension", "Phones", { name: "Phones", unique: ["t"] }, T0), true);
        assert.equal(await store.metadata.insert("extension", "PHONES", { name: "PHONES" }, T0 + 1), false);
        assert.equal(await store.metadata.insert("identification-key", "Phones", { name: "Phones" }, T0 + 2), true);
        assert.equal(await store.metadata.insert("extension", "Cards", { name: "Cards" }, T0 + 3), true);
        assert.deepEqual((await store.metadata.get("extension", "phones"))?.body, { name: "Phones", unique: ["t"] });
        assert.deepEqual(
          (await store.metadata.list("extension")).map((m) => m.body.name),
          ["Phones", "Cards"],
        );
        assert.equal(await store.metadata.delete("extension", "PHONES"), true);
        assert.equal(await store.metadata.delete("extension", "Phones"), false);
        assert.equal(await store.metadata.get("extension", "Phones"), null);
        assert.notEqual(await store.metadata.get("identification-key", "phones"), null);
      });
    });

    describe("chat services and transcripts", () => {
      const service = (id: string, overrides: Partial<ChatService> = {}): ChatService => ({
        id,
        name: "request-chat",
        kind: "basic",
        queue: "default",
        gmsUser: "u1",
        clientAddress: "203.0.113.7",
        data: { topic: "x", nested: '{"a":1}' },
        device: null,
        status: null,
        createdAt: T0,
        expiresAt: T0 + 60_000,
        chat: null,
        ...overrides,
      });
      const chat = (interactionId: string, overrides: Partial<Chat> = {}): Chat => ({
        interactionId,
        notifyBy: "comet",
        nickname: "VasyaP",
        userId: "U",
        secureKey: "k",
        clientTimeZoneOffset: "-420",
        startedAt: T0,
        ended: false,
        nextPosition: 1,
        transcriptBytes: 0,
        delivered: 1,
        lastSeenAt: T0,
        awaySince: null,
        pushedPosition: 1,
        ...overrides,
      });

      it("stores a service, its chat and its transcript, and finds them by id, interaction and user", async () => {
        await store.chats.insert(service("s1", { device: { notificationId: "d1", os: "ios" } }));
        assert.deepEqual((await store.chats.get("s1"))?.device, { notificationId: "d1", os: "ios" });
        assert.equal(await store.chats.get("nope"), null);
        const s = (await store.chats.get("s1"))!;
        s.chat = chat("ix-s1");
        await store.transaction(async (tx) => {
          const locked = (await tx.chats.get("s1", { lock: true }))!;
          locked.chat = s.chat;
          await tx.chats.append("ix-s1", [
            { position: 1, type: "Message.Text", nick: "VasyaP", text: "héllo <b>", at: T0 + 1000, userType: "CLIENT" },
            { position: 2, type: "Notice.Joined", nick: "Ann", text: "has joined the session", at: T0 + 2000, userType: "AGENT" },
          ]);
          locked.chat!.nextPosition = 3;
          await tx.chats.save(locked);
        });
        const saved = (await store.chats.byInteraction("ix-s1"))!;
        assert.deepEqual(saved.chat, chat("ix-s1", { nextPosition: 3 }));
        assert.deepEqual(saved.data, { topic: "x", nested: '{"a":1}' });
        assert.deepEqual(
          (await store.chats.transcript("ix-s1", 2, 10)).map((e) => [e.position, e.type, e.at]),
          [[2, "Notice.Joined", T0 + 2000]],
        );
        assert.equal((await store.chats.transcript("ix-s1", 1, 10))[0]!.text, "héllo <b>");
        assert.deepEqual(
          (await store.chats.openChatsOf("u1")).map((c) => c.id),
          ["s1"],
        );
        assert.deepEqual(await store.chats.openChatsOf("u2"), []);
        await assert.rejects(store.chats.append("ix-s1", [{ position: 2, type: "Message.Text", nick: "x", text: "dup", at: T0, userType: "CLIENT" }]));
      });

      it("keeps each party's nickname once per chat: entries of one party share it, a new nickname is a new party", async () => {
        await store.chats.insert(service("sp", { chat: chat("ix-sp") }));
        const entry = (position: number, nick: string, userType: "CLIENT" | "AGENT") => ({
          position,
          type: "Message.Text" as const,
          nick,
          text: `m${position}`,
          at: T0 + position,
          userType,
        });
        await store.transaction(async (tx) => {
          await tx.chats.append("ix-sp", [entry(1, "VasyaP", "CLIENT"), entry(2, "Ann", "AGENT"), entry(3, "VasyaP", "CLIENT")]);
          await tx.chats.append("ix-sp", [entry(4, "Vasya Pupkin", "CLIENT")]);
          // The same nickname for an agent and a customer names two parties.
          await tx.chats.append("ix-sp", [entry(5, "VasyaP", "AGENT")]);
        });
        assert.deepEqual(
          (await store.chats.transcript("ix-sp", 1, 10)).map((e) => [e.position, e.nick, e.userType]),
          [
            [1, "VasyaP", "CLIENT"],
            [2, "Ann", "AGENT"],
            [3, "VasyaP", "CLIENT"],
            [4, "Vasya Pupkin", "CLIENT"],
            [5, "VasyaP", "AGENT"],
          ],
        );
        assert.deepEqual(
          (await store.chats.transcript("ix-sp", 4, 1)).map((e) => e.nick),
          ["Vasya Pupkin"],
        );
        await store.chats.delete("sp");
        assert.deepEqual(await store.chats.transcript("ix-sp", 1, 10), []);
      });

      it("counts open services per address and open chats per address and per gms_user", async () => {
        const ids: string[] = [];
        const from = (address: string, overrides: Partial<ChatService>) => {
          ids.push(`c-${address}-${ids.length}`);
          return service(ids.at(-1)!, { clientAddress: address, ...overrides });
        };
        await store.chats.insert(from("a1", {}));
        await store.chats.insert(from("a1", { gmsUser: "g1", chat: chat("ix-c1") }));
        await store.chats.insert(from("a1", { gmsUser: "g1", chat: chat("ix-c2", { ended: true }) }));
        await store.chats.insert(from("a1", { expiresAt: T0 - 1 }));
        await store.chats.insert(from("a2", { gmsUser: "g1", chat: chat("ix-c3") }));
        assert.equal(await store.chats.openServicesFrom("a1", T0), 2, "one without a chat, one with an open chat");
        assert.equal(await store.chats.openServicesFrom("a3", T0), 0);
        assert.equal(await store.chats.openChatsBy({ address: "a1" }), 1);
        assert.equal(await store.chats.openChatsBy({ address: "a2" }), 1);
        assert.equal(await store.chats.openChatsBy({ gmsUser: "g1" }), 2);
        assert.equal(await store.chats.openChatsBy({ gmsUser: "nobody" }), 0);
        for (const id of ids) await store.chats.delete(id);
      });

      it("lockClients serialises one client's transactions: what they count of it stays true while they add to it", async () => {
        const create = (id: string) =>
          store.transaction(async (tx) => {
            await tx.chats.lockClients(["user u-lock", "address a-lock"]);
            const open = await tx.chats.openServicesFrom("a-lock", T0);
            if (open === 0) await tx.chats.insert(service(id, { clientAddress: "a-lock" }));
            return open;
          });
        const counted = await Promise.all([create("lock1"), create("lock2"), create("lock3")]);
        assert.deepEqual(counted.sort(), [0, 1, 1], "one created it; the others saw it");
        for (const id of ["lock1", "lock2", "lock3"]) await store.chats.delete(id);
      });

      it("finds silent, away and expired chats and waiting services; seen() keeps a user's chats alive", async () => {
        await store.chats.insert(service("s2", { gmsUser: "quiet", chat: chat("ix-s2", { lastSeenAt: T0 - 10_000 }) }));
        await store.chats.insert(service("s3", { gmsUser: "away", chat: chat("ix-s3", { awaySince: T0, nextPosition: 4, pushedPosition: 2 }) }));
        await store.chats.insert(service("s4", { kind: "advanced", status: "waiting", expiresAt: T0 - 1 }));
        await store.chats.insert(service("s5", { chat: chat("ix-s5", { ended: true }), expiresAt: T0 - 1 }));
        assert.deepEqual(
          (await store.chats.silent(T0 - 5000, 10)).map((s) => s.id),
          ["s2"],
        );
        await store.chats.seen(["quiet"], T0);
        assert.deepEqual(await store.chats.silent(T0 - 5000, 10), []);
        assert.deepEqual(
          (await store.chats.awayDue(T0, 10)).map((s) => s.id),
          ["s3"],
        );
        assert.deepEqual(await store.chats.awayDue(T0 - 1, 10), []);
        assert.deepEqual(
          (await store.chats.waiting(10)).map((s) => s.id),
          ["s4"],
        );
        assert.deepEqual((await store.chats.expired(T0, 10)).sort(), ["s4", "s5"]);
        await store.chats.delete("s5");
        assert.equal(await store.chats.get("s5"), null);
        assert.deepEqual(await store.chats.transcript("ix-s5", 1, 10), []);
      });
    });

    describe("interactions", () => {
      it("records, reads, lists and serves content", async () => {
        const content = {
          plainText: "hi",
          structuredText: "<x/>",
          structuredTextMime: "text/xml",
          binaryContent: new Uint8Array([1, 2, 3]),
          binaryContentMime: "image/png",
        };
        await store.history.insert(newInteraction("IXN1", { content, serviceId: "7", udata: { k: "v" } }));
        await store.history.insert(newInteraction("IXN0", { startDate: T0 - 1 }));
        const ixn = await store.history.get("IXN1");
        assert.deepEqual(ixn?.contents, ["plain_text", "structured_text", "binary_content"]);
        assert.deepEqual(ixn?.udata, { k: "v" });
        assert.equal(ixn?.structuredTextMime, "text/xml");
        assert.deepEqual(
          (await store.history.listByCustomer("C1", 10)).map((i) => i.id),
          ["IXN0", "IXN1"],
        );
        assert.deepEqual(
          (await store.history.listByService("7", 10)).map((i) => i.id),
          ["IXN1"],
        );
        assert.deepEqual(await store.history.content("IXN1", "plain_text"), { body: "hi", mime: "text/plain; charset=utf-8" });
        const binary = await store.history.content("IXN1", "binary_content");
        assert.deepEqual(new Uint8Array(binary?.body as Uint8Array), new Uint8Array([1, 2, 3]));
        assert.equal(binary?.mime, "image/png");
        assert.equal(await store.history.content("IXN0", "plain_text"), null);
        assert.equal(await store.history.get("nope"), null);
      });

      it("deletes history that started before a time, oldest first, at most a batch", async () => {
        for (const [id, start] of [
          ["OLD1", T0 - 3_000_000],
          ["OLD2", T0 - 2_000_000],
          ["OLD3", T0 - 1_000_000],
          ["NEW1", T0 - 100_000],
        ] as const) {
          await store.history.insert(
            newInteraction(id, {
              startDate: start,
              content: { plainText: "x", structuredText: null, structuredTextMime: null, binaryContent: null, binaryContentMime: null },
            }),
          );
        }
        const cutoff = T0 - 500_000;
        assert.equal(await store.history.deleteStartedBefore(cutoff, 2), 2);
        assert.equal(await store.history.get("OLD1"), null);
        assert.equal(await store.history.get("OLD2"), null);
        assert.notEqual(await store.history.get("OLD3"), null);
        assert.equal(await store.history.deleteStartedBefore(cutoff, 10), 1);
        assert.notEqual(await store.history.get("NEW1"), null);
        assert.equal(await store.history.content("OLD3", "plain_text"), null);
      });
    });
  });
}

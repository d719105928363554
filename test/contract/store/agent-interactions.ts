/** Queues and agent interactions (routed work): versioned updates, counts, order, retention. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { AgentInteraction } from "../../../src/domain/agent-interactions.ts";
import type { Store } from "../../../src/store/store.ts";
import { UniqueViolation } from "../../../src/store/store.ts";
import { present } from "../../support/server.ts";
import { T0 } from "./fixtures.ts";

/** Registers these cases of the store contract, on the store `current()` gives once the suite has opened it. */
export function agentInteractionsContract(current: () => Store): void {
  let store: Store;
  before(() => {
    store = current();
  });

  describe("agent interactions and queues", () => {
    const work = (id: string, over: Partial<AgentInteraction> = {}): AgentInteraction => ({
      id,
      mediaType: "openmedia",
      state: "Queued",
      queue: "q1",
      entryQueue: "q1",
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
      acceptedAt: null,
      answeredAt: null,
      abandonedAt: null,
      priority: 0,
      overflowStep: 0,
      customerKey: null,
      saveLastAgent: true,
      ...over,
    });

    const agent = (id: string) => ({
      id,
      userName: `agent-${id}`,
      firstName: "",
      lastName: "",
      roles: ["ROLE_AGENT" as const],
      skills: [],
      capacity: { chat: 3, openmedia: 3, email: 3, sms: 3 },
      passwordHash: "x",
      enabled: true,
      createdAt: T0,
      updatedAt: T0,
    });

    it("stores queues and interactions, updates only from the expected version, counts and orders them", async () => {
      for (const id of ["a1", "a2"]) await store.users.insert(agent(id));
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

      const w1 = present(await store.agentInteractions.get("w1"), "interaction w1");
      const offered = { ...w1, state: "Invited" as const, invitation: { agentId: "a1", kind: "route" as const, expiresAt: T0 + 50 }, updatedAt: T0 + 10 };
      assert.equal(await store.agentInteractions.update(offered, w1), true);
      assert.equal(await store.agentInteractions.update(offered, w1), false, "a stale version changes nothing");
      assert.deepEqual((await store.agentInteractions.get("w1"))?.invitation, offered.invitation);
      assert.deepEqual(
        (await store.agentInteractions.expiredOffers(T0 + 50, 10)).map((w) => w.id),
        ["w1"],
      );

      const w2 = present(await store.agentInteractions.get("w2"), "interaction w2");
      const conferenced = { ...w2, state: "Accepted" as const, ownerId: "a2", conference: ["a1"], updatedAt: T0 + 11, answeredAt: T0 + 11 };
      await store.agentInteractions.update(conferenced, w2);
      assert.deepEqual([...(await store.agentInteractions.loads("openmedia")).entries()].sort(), [
        ["a1", 2],
        ["a2", 1],
      ]);
      assert.deepEqual((await store.agentInteractions.involving("a1")).map((w) => w.id).sort(), ["w1", "w2"]);
      assert.deepEqual((await store.agentInteractions.waiting()).get("q1"), { count: 1, oldestQueuedAt: T0 + 3 });

      const done = { ...conferenced, state: "Completed" as const, conference: [], completedAt: T0 + 1011, updatedAt: T0 + 1011 };
      await store.agentInteractions.update(done, conferenced);
      assert.deepEqual([...(await store.agentInteractions.loads("openmedia")).entries()], [["a1", 1]], "completion frees its slots");
      assert.equal(await store.agentInteractions.averageHandleMs("q1", 100), 1000, "from its answer to its completion");
      assert.equal(await store.agentInteractions.averageHandleMs("q9", 100), null);
    });

    it("keeps each agent's load per channel with every change, and reserves a slot only under capacity when Ready", async () => {
      for (const id of ["r1", "r2"]) await store.users.insert(agent(id));
      await store.agentChannels.set("r1", { channel: "email", state: "Ready", reason: null, changedAt: T0 });
      const offered = work("l1", { mediaType: "email", state: "Invited", invitation: { agentId: "r1", kind: "route", expiresAt: T0 + 50 } });
      await store.agentInteractions.insert(offered);
      assert.equal((await store.agentInteractions.loads("email")).get("r1"), 1, "an inserted offer takes a slot");
      assert.equal(await store.agentChannels.reserve("r1", "email", 1, T0 + 5), false, "full at capacity 1");
      assert.equal(await store.agentChannels.reserve("r1", "email", 2, T0 + 5), true);
      assert.equal(await store.agentChannels.reserve("r2", "email", 2, T0 + 5), false, "not Ready (no row)");
      assert.deepEqual(
        (await store.agentChannels.readyOf(["r1", "r2"])).map((a) => [a.userId, a.channel, a.load, a.capacity, a.idleSince]),
        [["r1", "email", 1, 3, T0 + 5]],
      );
      // Transferred to r2, who never set a state: their row is made (NotReady) to hold the slot.
      const transferring = {
        ...offered,
        state: "Accepted" as const,
        ownerId: "r1",
        invitation: { agentId: "r2", kind: "transfer" as const, expiresAt: null },
        updatedAt: T0 + 1,
      };
      await store.agentInteractions.update(transferring, offered);
      assert.deepEqual([...(await store.agentInteractions.loads("email")).entries()].sort(), [
        ["r1", 1],
        ["r2", 1],
      ]);
      const parked = { ...transferring, state: "InWorkbin" as const, invitation: null, workbin: "later", updatedAt: T0 + 2 };
      await store.agentInteractions.update(parked, transferring);
      assert.deepEqual([...(await store.agentInteractions.loads("email")).entries()], [], "parked work takes no slot");
      assert.deepEqual(
        (await store.agentChannels.list("r2")).map((c) => c.state),
        ["NotReady"],
      );
      // A slot for a user who is gone makes no row (and breaks nothing).
      await store.agentInteractions.insert(
        work("l2", { mediaType: "email", state: "Invited", invitation: { agentId: "ghost", kind: "route", expiresAt: null } }),
      );
      assert.equal((await store.agentInteractions.loads("email")).has("ghost"), false);
      assert.equal(await store.agentInteractions.anyQueued("sms"), false);
      await store.agentInteractions.insert(work("l3", { mediaType: "sms" }));
      assert.equal(await store.agentInteractions.anyQueued("sms"), true);
    });

    it("sums each queue's service-level activity since a time, against each queue's thresholds, in the queue entered", async () => {
      const s = 1000;
      const contact = (id: string, queue: string, events: Partial<AgentInteraction>) => {
        const times = [events.createdAt ?? T0, events.answeredAt, events.abandonedAt, events.completedAt].filter((t): t is number => typeof t === "number");
        const state = events.completedAt == null ? (events.answeredAt == null ? "Queued" : "Accepted") : "Completed";
        return work(id, { queue, entryQueue: queue, state, ...events, updatedAt: Math.max(...times) });
      };
      for (const ix of [
        contact("sl-a", "sl1", { answeredAt: T0 + 10 * s, completedAt: T0 + 70 * s }),
        contact("sl-b", "sl1", { answeredAt: T0 + 30 * s }),
        contact("sl-c", "sl1", { abandonedAt: T0 + 3 * s, completedAt: T0 + 3 * s }),
        contact("sl-d", "sl1", { abandonedAt: T0 + 8 * s, completedAt: T0 + 8 * s }),
        // Offered and answered before the window, completed in it: handled only.
        contact("sl-e", "sl1", { createdAt: T0 - 7200 * s, answeredAt: T0 - 7190 * s, completedAt: T0 + 10 * s }),
        // Moved to sl2 after its answer: still sl1's.
        { ...contact("sl-f", "sl1", { answeredAt: T0 + 1 * s }), queue: "sl2" },
        contact("sl-g", "sl2", { answeredAt: T0 + 30 * s }),
        contact("sl-h", "sl2", { abandonedAt: T0 + 1 * s, completedAt: T0 + 1 * s }),
        // All before the window.
        contact("sl-old", "sl2", { createdAt: T0 - 60 * s, answeredAt: T0 - 50 * s, completedAt: T0 - 1 }),
      ]) {
        await store.agentInteractions.insert(ix);
      }
      const thresholds = {
        byQueue: new Map([["sl2", { serviceLevelMs: 40 * s, shortAbandonMs: 0 }]]),
        otherwise: { serviceLevelMs: 20 * s, shortAbandonMs: 5 * s },
      };
      const activity = await store.agentInteractions.queueActivity(T0, thresholds);
      assert.deepEqual(activity.get("sl1"), {
        offered: 5,
        answered: 3,
        answeredWithin: 2,
        waitMs: (10 + 30 + 1) * s,
        abandoned: 2,
        abandonedShort: 1,
        handled: 2,
        handleMs: 60 * s + 7200 * s,
      });
      assert.deepEqual(activity.get("sl2"), {
        offered: 2,
        answered: 1,
        answeredWithin: 1,
        waitMs: 30 * s,
        abandoned: 1,
        abandonedShort: 0,
        handled: 0,
        handleMs: 0,
      });
      const later = await store.agentInteractions.queueActivity(T0 + 60 * s, { byQueue: new Map(), otherwise: thresholds.otherwise });
      assert.deepEqual([...later.keys()], ["sl1"], "only what happened since: sl-a's completion");
      assert.deepEqual([later.get("sl1")?.handled, later.get("sl1")?.offered], [1, 0]);
    });

    it("reads a queue with its row locked inside a transaction", async () => {
      await store.queues.insert({ name: "locked-q", skills: [], createdAt: T0 });
      assert.equal(await store.transaction(async (tx) => (await tx.queues.get("locked-q", { lock: true }))?.name), "locked-q");
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

    it("orders the queued by priority, then wait, then id (position too); keeps the routing fields; counts the overflowed", async () => {
      const mine = ["p-low-early", "p-high-late", "p-high-early", "p-mid"];
      await store.agentInteractions.insert(work("p-low-early", { queue: "pq", queuedAt: T0 - 9000 }));
      await store.agentInteractions.insert(work("p-high-late", { queue: "pq", queuedAt: T0 + 9000, priority: 900, overflowStep: 2 }));
      await store.agentInteractions.insert(work("p-high-early", { queue: "pq", queuedAt: T0, priority: 900 }));
      await store.agentInteractions.insert(work("p-mid", { queue: "pq", queuedAt: T0, priority: 5, customerKey: "customer:PC", saveLastAgent: false }));
      const order = (await store.agentInteractions.queued(1000)).map((w) => w.id).filter((id) => mine.includes(id));
      assert.deepEqual(order, ["p-high-early", "p-high-late", "p-mid", "p-low-early"]);
      assert.deepEqual(await store.agentInteractions.queuePosition("pq", "p-mid"), { waiting: 4, position: 3 });
      assert.deepEqual(await store.agentInteractions.queuePosition("pq", "p-high-late"), { waiting: 4, position: 2 });
      const read = present(await store.agentInteractions.get("p-mid"), "p-mid");
      assert.deepEqual([read.priority, read.overflowStep, read.customerKey, read.saveLastAgent], [5, 0, "customer:PC", false]);
      assert.equal((await store.agentInteractions.overflowed()).get("pq"), 1);
      const raised = { ...read, priority: 1000, overflowStep: 1, updatedAt: T0 + 1 };
      assert.equal(await store.agentInteractions.update(raised, read), true);
      assert.deepEqual((await store.agentInteractions.queued(1000)).map((w) => w.id).filter((id) => mine.includes(id))[0], "p-mid");
      assert.equal((await store.agentInteractions.overflowed()).get("pq"), 2);
      // A merged or erased profile: its chats' customer key follows the profile.
      await store.agentInteractions.reassignCustomer("PC", "PD");
      assert.equal((await store.agentInteractions.get("p-mid"))?.customerKey, "customer:PD");
      await store.agentInteractions.reassignCustomer("PD", null);
      assert.equal((await store.agentInteractions.get("p-mid"))?.customerKey, null);
    });
  });

  describe("last agents", () => {
    it("keeps one agent per customer, the latest; finds several at once; forgets the old, oldest first, a batch at a time", async () => {
      await store.lastAgents.remember("customer:L1", { agentId: "ann", endedAt: T0 });
      await store.lastAgents.remember("customer:L1", { agentId: "bob", endedAt: T0 + 10 });
      await store.lastAgents.remember("gms_user:l2", { agentId: "ann", endedAt: T0 - 100 });
      await store.lastAgents.remember("customer:L3", { agentId: "cy", endedAt: T0 - 200 });
      const found = await store.lastAgents.find(["customer:L1", "gms_user:l2", "customer:L1", "nobody"]);
      assert.deepEqual(Object.fromEntries(found), {
        "customer:L1": { agentId: "bob", endedAt: T0 + 10 },
        "gms_user:l2": { agentId: "ann", endedAt: T0 - 100 },
      });
      assert.equal((await store.lastAgents.find([])).size, 0);
      assert.equal(await store.lastAgents.forgetEndedBefore(T0, 1), 1);
      assert.deepEqual([...(await store.lastAgents.find(["customer:L3", "gms_user:l2"])).keys()], ["gms_user:l2"], "the oldest went first");
      assert.equal(await store.lastAgents.forgetEndedBefore(T0, 10), 1);
      await store.lastAgents.forget("customer:L1");
      assert.equal((await store.lastAgents.find(["customer:L1", "gms_user:l2"])).size, 0);
    });
  });
}

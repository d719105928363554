/**
 * Routing's view of the agents, per node and in memory: who is Ready on each channel, with their
 * skills, capacity, load and idle time. Routing chooses from it without reading the database;
 * the database stays the truth, because the claim is a conditional update there
 * (agentChannels.reserve). So a stale view can only cost a retry or a short wait, never an
 * interaction offered twice or an agent over capacity.
 *
 * It is kept fresh by the changes that move agents: every committed change that names an agent
 * (a state change, an offer, accept, completion, transfer, a user changed) marks them, and marked
 * agents are read again (one query for all of them) before routing next chooses; other nodes are
 * told over the bus and do the same. A full reload on routing's timer repairs anything missed
 * (a node that died between its commit and its message).
 */
import type { Bus } from "../bus/bus.ts";
import { routable, type Candidate } from "../domain/routing.ts";
import { CHANNELS, type Channel, type Role } from "../domain/users.ts";
import type { Logger } from "../logger.ts";
import type { ReadyAgent, Store } from "../store/store.ts";

const TOPIC = "routing.agents";

export class RoutingView {
  private readonly byChannel = new Map<Channel, Map<string, Candidate>>(CHANNELS.map((c) => [c, new Map()]));
  private marked = new Set<string>();
  /** The refresh under way, if any: routing waits for it before it chooses. */
  private refreshing: Promise<void> | null = null;
  private loaded = false;
  private unsubscribe: (() => Promise<void>) | null = null;
  private readonly store: Store;
  private readonly roles: readonly Role[];
  private readonly bus: Bus;
  private readonly nodeId: string;
  private readonly logger: Logger;
  /** Told when another node changed agents: routing may have work for them here. */
  private readonly onRemoteChange: () => void;

  constructor(options: { store: Store; roles: readonly Role[]; bus: Bus; nodeId: string; logger: Logger; onRemoteChange: () => void }) {
    this.store = options.store;
    this.roles = options.roles;
    this.bus = options.bus;
    this.nodeId = options.nodeId;
    this.logger = options.logger;
    this.onRemoteChange = options.onRemoteChange;
  }

  /** Listens to the other nodes' changes. */
  async start(): Promise<void> {
    if (!this.bus.shared) return;
    this.unsubscribe = await this.bus.subscribe(TOPIC, (envelope) => {
      if (envelope.origin === this.nodeId) return;
      const ids = envelope.payload;
      if (!Array.isArray(ids)) return;
      this.mark(ids.filter((id): id is string => typeof id === "string"));
      this.onRemoteChange();
    });
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /**
   * Agents changed by a change this node committed: read again before routing next chooses, and
   * the other nodes told.
   */
  changed(agentIds: Iterable<string>): void {
    const ids = [...agentIds];
    if (ids.length === 0) return;
    this.mark(ids);
    if (this.bus.shared) {
      this.bus.publish(TOPIC, { origin: this.nodeId, payload: ids }).catch((err: unknown) => {
        this.logger.warn({ err }, "routing view: could not tell the other nodes which agents changed");
      });
    }
  }

  /** Ready candidates of a channel, as fresh as the last change this node heard of. Callers may count a choice on them (load, idleSince). */
  async candidates(channel: Channel): Promise<Map<string, Candidate>> {
    if (!this.loaded) await this.reload();
    // Agents marked during a refresh are read by the next one; both finish before routing chooses.
    while (this.marked.size > 0 || this.refreshing !== null) {
      if (this.refreshing === null) {
        this.refreshing = this.refreshMarked().finally(() => {
          this.refreshing = null;
        });
      }
      await this.refreshing;
    }
    return this.byChannel.get(channel) ?? new Map();
  }

  /** A choice could not be claimed (the agent was full or gone): read them again. */
  forget(agentId: string): void {
    this.mark([agentId]);
  }

  /** Reads every Ready agent again (routing's timer). */
  async reload(): Promise<void> {
    const fresh = new Map<Channel, Map<string, Candidate>>();
    for (const channel of CHANNELS) {
      const agents = await this.store.agentChannels.ready(channel);
      fresh.set(channel, new Map(agents.filter((a) => routable(a.roles, this.roles)).map((a) => [a.userId, toCandidate(a)])));
    }
    // Changes marked while reading may be missing from what was read: they are read again next.
    for (const [channel, agents] of fresh) this.byChannel.set(channel, agents);
    this.loaded = true;
  }

  private mark(ids: readonly string[]): void {
    for (const id of ids) this.marked.add(id);
  }

  private async refreshMarked(): Promise<void> {
    const ids = [...this.marked];
    this.marked = new Set();
    let rows: Awaited<ReturnType<Store["agentChannels"]["readyOf"]>>;
    try {
      rows = await this.store.agentChannels.readyOf(ids);
    } catch (err) {
      // Nothing known of them now: left out until the next full reload reads them.
      for (const agents of this.byChannel.values()) for (const id of ids) agents.delete(id);
      this.loaded = false;
      throw err;
    }
    for (const agents of this.byChannel.values()) for (const id of ids) agents.delete(id);
    for (const row of rows) {
      if (routable(row.roles, this.roles)) this.byChannel.get(row.channel)?.set(row.userId, toCandidate(row));
    }
  }
}

function toCandidate(agent: ReadyAgent): Candidate {
  return { agentId: agent.userId, skills: agent.skills, capacity: agent.capacity, load: agent.load, idleSince: agent.idleSince };
}

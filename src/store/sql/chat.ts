/** Chat services, their chat, and chat transcripts, in SQL. */
import { sql, type Insertable, type Kysely, type Selectable, type SelectQueryBuilder } from "kysely";
import type { ChatService, EntryType, TranscriptEntry, UserType } from "../../domain/chat.ts";
import type { ChatFile } from "../../domain/chat-v2.ts";
import type { JsonObject } from "../../domain/json.ts";
import { UniqueViolation, type ChatStore } from "../store.ts";
import type { ChatFilesTable, ChatServicesTable, Database } from "./schema.ts";
import { runPrepared } from "./prepared.ts";
import { int } from "./values.ts";

export class SqlChatStore implements ChatStore {
  private readonly db: Kysely<Database>;
  private readonly dialect: "sqlite" | "postgres";
  private readonly isUniqueViolation: (err: unknown) => boolean;

  constructor(db: Kysely<Database>, dialect: "sqlite" | "postgres", isUniqueViolation: (err: unknown) => boolean) {
    this.db = db;
    this.dialect = dialect;
    this.isUniqueViolation = isUniqueViolation;
  }

  async insert(service: ChatService): Promise<void> {
    await this.db.insertInto("chat_services").values(toRow(service)).execute();
  }

  // Every chat message runs get, save and append: those are compiled once (prepared.ts).
  async get(id: string, options: { lock?: boolean } = {}): Promise<ChatService | null> {
    return this.findBy("id", id, options.lock === true);
  }

  async byInteraction(interactionId: string, options: { lock?: boolean } = {}): Promise<ChatService | null> {
    return this.findBy("interaction_id", interactionId, options.lock === true);
  }

  async bySecureKey(secureKey: string, options: { lock?: boolean } = {}): Promise<ChatService | null> {
    const found = await this.findBy("secure_key", secureKey, options.lock === true);
    return found?.chat?.api === 2 ? found : null;
  }

  private async findBy(column: "id" | "interaction_id" | "secure_key", value: string, lock: boolean): Promise<ChatService | null> {
    const forUpdate = lock && this.dialect === "postgres";
    const [row] = await runPrepared(
      this.db,
      this.dialect,
      `chat.by.${column}.${forUpdate}`,
      (db) => {
        const query = db.selectFrom("chat_services").selectAll().where(column, "=", "");
        return forUpdate ? query.forUpdate() : query;
      },
      [value],
    );
    return row === undefined ? null : toService(row);
  }

  async save(service: ChatService): Promise<void> {
    const { id, ...row } = toRow(service);
    // The compiled statement's parameters are the row's values in key order, then the id.
    await runPrepared(this.db, this.dialect, "chat.save", (db) => db.updateTable("chat_services").set(row).where("id", "=", id), [...Object.values(row), id]);
  }

  async append(interactionId: string, entries: readonly TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const parties = await this.partiesOf(interactionId, entries);
    const rows = entries.map((e) => ({
      interaction_id: interactionId,
      position: e.position,
      type: e.type,
      // The nickname is the party's: stored once per chat, not in every entry.
      nick: "",
      text: e.text,
      at: e.at,
      user_type: e.userType,
      party: partyOf(parties, e),
      data: e.data === undefined ? null : JSON.stringify(e.data),
      client_message_id: e.clientMessageKey ?? null,
    }));
    const [row] = rows;
    try {
      if (rows.length === 1 && row !== undefined) {
        await runPrepared(this.db, this.dialect, "chat.append1", (db) => db.insertInto("chat_transcripts").values(row), Object.values(row));
        return;
      }
      await this.db.insertInto("chat_transcripts").values(rows).execute();
    } catch (err) {
      if (this.isUniqueViolation(err)) throw new UniqueViolation(`a transcript entry of ${interactionId} with that position or clientMessageId`);
      throw err;
    }
  }

  async byClientMessage(interactionId: string, key: string): Promise<TranscriptEntry | null> {
    const [entry] = await this.entries(interactionId, (query) => query.where("t.client_message_id", "=", key).limit(1));
    return entry === undefined ? null : { ...entry, clientMessageKey: key };
  }

  /** The party number of each (user type, nickname) among `entries`, adding the parties the chat lacks. */
  private async partiesOf(interactionId: string, entries: readonly TranscriptEntry[]): Promise<Map<string, number>> {
    const parties = new Map<string, number>();
    for (const e of entries) {
      const key = partyKey(e.userType, e.nick);
      if (parties.has(key)) continue;
      const [known] = await runPrepared(
        this.db,
        this.dialect,
        "chat.party",
        (db) => db.selectFrom("chat_parties").select("party").where("interaction_id", "=", "").where("user_type", "=", "").where("nick", "=", ""),
        [interactionId, e.userType, e.nick],
      );
      parties.set(key, known === undefined ? await this.addParty(interactionId, e.userType, e.nick) : int(known.party));
    }
    return parties;
  }

  /** A new party; appends run with the chat's service locked, so numbers cannot collide. */
  private async addParty(interactionId: string, userType: string, nick: string): Promise<number> {
    const last = await this.db
      .selectFrom("chat_parties")
      .select((eb) => eb.fn.max("party").as("party"))
      .where("interaction_id", "=", interactionId)
      .executeTakeFirst();
    const party = int(last?.party ?? 0) + 1;
    await this.db.insertInto("chat_parties").values({ interaction_id: interactionId, party, user_type: userType, nick }).execute();
    return party;
  }

  async transcript(interactionId: string, from: number, limit: number): Promise<TranscriptEntry[]> {
    return this.entries(interactionId, (query) => query.where("t.position", ">=", from).orderBy("t.position").limit(limit));
  }

  /** A chat's entries that `narrow` picks, each with its party's nickname. */
  private async entries(interactionId: string, narrow: (query: EntryQuery) => EntryQuery): Promise<TranscriptEntry[]> {
    const query = this.db
      .selectFrom("chat_transcripts as t")
      .leftJoin("chat_parties as p", (join) => join.onRef("p.interaction_id", "=", "t.interaction_id").onRef("p.party", "=", "t.party"))
      .select(["t.position", "t.type", "t.nick", "t.text", "t.at", "t.user_type", "t.data", "p.nick as party_nick"])
      .where("t.interaction_id", "=", interactionId);
    const rows = await narrow(query).execute();
    return rows.map((r) => {
      const entry: TranscriptEntry = {
        position: int(r.position),
        type: r.type as EntryType,
        nick: r.party_nick ?? r.nick,
        text: r.text,
        at: int(r.at),
        userType: r.user_type as UserType,
      };
      if (r.data !== null) entry.data = JSON.parse(r.data) as Record<string, string>;
      return entry;
    });
  }

  async openChatsOf(gmsUser: string): Promise<ChatService[]> {
    const rows = await this.db
      .selectFrom("chat_services")
      .selectAll()
      .where("gms_user", "=", gmsUser)
      .where("ended", "=", 0)
      .where("interaction_id", "is not", null)
      .execute();
    return rows.map(toService);
  }

  async silent(before: number, limit: number): Promise<ChatService[]> {
    const rows = await this.db
      .selectFrom("chat_services")
      .selectAll()
      .where("ended", "=", 0)
      .where("last_seen_at", "<", before)
      .orderBy("last_seen_at")
      .limit(limit)
      .execute();
    return rows.map(toService);
  }

  async seen(serviceIds: readonly string[], now: number): Promise<void> {
    for (let i = 0; i < serviceIds.length; i += 500) {
      await this.db
        .updateTable("chat_services")
        .set({ last_seen_at: now })
        .where("ended", "=", 0)
        .where("id", "in", serviceIds.slice(i, i + 500))
        .where("interaction_id", "is not", null)
        .execute();
    }
  }

  async awayDue(before: number, limit: number): Promise<ChatService[]> {
    const rows = await this.db
      .selectFrom("chat_services")
      .selectAll()
      .where("ended", "=", 0)
      .where("away_since", "<=", before)
      .whereRef("pushed_position", "<", "next_position")
      .limit(limit)
      .execute();
    return rows.map(toService);
  }

  async expired(now: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom("chat_services")
      .select("id")
      .where("expires_at", "<=", now)
      .where((eb) => eb.or([eb("interaction_id", "is", null), eb("ended", "=", 1)]))
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async delete(id: string): Promise<void> {
    const row = await this.db.selectFrom("chat_services").select("interaction_id").where("id", "=", id).executeTakeFirst();
    if (row?.interaction_id != null) {
      await this.db.deleteFrom("chat_transcripts").where("interaction_id", "=", row.interaction_id).execute();
      await this.db.deleteFrom("chat_parties").where("interaction_id", "=", row.interaction_id).execute();
      await this.db.deleteFrom("chat_files").where("interaction_id", "=", row.interaction_id).execute();
    }
    await this.db.deleteFrom("chat_services").where("id", "=", id).execute();
  }

  async waiting(limit: number): Promise<ChatService[]> {
    const rows = await this.db
      .selectFrom("chat_services")
      .selectAll()
      .where("kind", "=", "advanced")
      .where("interaction_id", "is", null)
      .where("gms_user", "is not", null)
      .where("status", "=", "waiting")
      .limit(limit)
      .execute();
    return rows.map(toService);
  }

  async openServicesFrom(address: string, now: number): Promise<number> {
    const row = await this.db
      .selectFrom("chat_services")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("client_address", "=", address)
      .where("ended", "=", 0)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async lockClients(keys: readonly string[]): Promise<void> {
    if (this.dialect !== "postgres") return;
    // One order for every transaction: two of them never wait on each other's keys crosswise.
    for (const key of [...keys].sort()) await sql`select pg_advisory_xact_lock(${CLIENT_LOCKS}, hashtext(${key}))`.execute(this.db);
  }

  async openChatsBy(owner: { address: string } | { gmsUser: string }): Promise<number> {
    const [column, value] = "address" in owner ? (["client_address", owner.address] as const) : (["gms_user", owner.gmsUser] as const);
    const row = await this.db
      .selectFrom("chat_services")
      .select((eb) => eb.fn.countAll().as("n"))
      .where(column, "=", value)
      .where("ended", "=", 0)
      .where("interaction_id", "is not", null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async addFile(file: ChatFile): Promise<void> {
    await this.db.insertInto("chat_files").values(fileRow(file)).execute();
  }

  async file(id: string): Promise<ChatFile | null> {
    const row = await this.db.selectFrom("chat_files").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toFile(row);
  }

  async saveFile(file: ChatFile): Promise<void> {
    await this.db
      .updateTable("chat_files")
      .set({ deleted: file.deleted ? 1 : 0, downloads: file.downloads })
      .where("id", "=", file.id)
      .execute();
  }

  async fileBytesFrom(address: string): Promise<number> {
    const row = await this.db
      .selectFrom("chat_files as f")
      .innerJoin("chat_services as s", "s.interaction_id", "f.interaction_id")
      .select((eb) => eb.fn.sum<number | string | bigint>("f.size").as("bytes"))
      .where("s.client_address", "=", address)
      .where("f.deleted", "=", 0)
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }

  async filesOf(interactionId: string): Promise<ChatFile[]> {
    const rows = await this.db.selectFrom("chat_files").selectAll().where("interaction_id", "=", interactionId).orderBy("uploaded_at").orderBy("id").execute();
    return rows.map(toFile);
  }
}

function fileRow(f: ChatFile): Insertable<ChatFilesTable> {
  return {
    id: f.id,
    interaction_id: f.interactionId,
    name: f.name,
    type: f.type,
    size: f.size,
    description: f.description,
    uploaded_at: f.uploadedAt,
    deleted: f.deleted ? 1 : 0,
    downloads: f.downloads,
  };
}

function toFile(r: Selectable<ChatFilesTable>): ChatFile {
  return {
    id: r.id,
    interactionId: r.interaction_id,
    name: r.name,
    type: r.type,
    size: int(r.size),
    description: r.description,
    uploadedAt: int(r.uploaded_at),
    deleted: int(r.deleted) === 1,
    downloads: int(r.downloads),
  };
}

/** A query of a chat's transcript entries with their party's nickname (`transcript`, `byClientMessage`). */
type EntryQuery = SelectQueryBuilder<
  Database & { t: Database["chat_transcripts"]; p: Database["chat_parties"] },
  "t" | "p",
  { position: number; type: string; nick: string; text: string; at: number | string; user_type: string; data: string | null; party_nick: string | null }
>;

/** The first key of parley's two-key advisory locks on chat clients ("chat" in ASCII), apart from any other use. */
const CLIENT_LOCKS = 0x63686174;

function partyKey(userType: string, nick: string): string {
  return `${userType}\u0000${nick}`;
}

function toRow(s: ChatService): Insertable<ChatServicesTable> & { id: string } {
  const c = s.chat;
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    queue: s.queue,
    gms_user: s.gmsUser,
    client_address: s.clientAddress,
    data: JSON.stringify(s.data),
    device: s.device === null ? null : JSON.stringify(s.device),
    status: s.status,
    created_at: s.createdAt,
    expires_at: s.expiresAt,
    interaction_id: c?.interactionId ?? null,
    api: c?.api ?? 1,
    notify_by: c?.notifyBy ?? null,
    nickname: c?.nickname ?? null,
    user_id: c?.userId ?? null,
    secure_key: c?.secureKey ?? null,
    time_zone_offset: c?.clientTimeZoneOffset ?? null,
    started_at: c?.startedAt ?? null,
    ended: c?.ended === true ? 1 : 0,
    next_position: c?.nextPosition ?? 1,
    transcript_bytes: c?.transcriptBytes ?? 0,
    delivered: c?.delivered ?? 1,
    last_seen_at: c?.lastSeenAt ?? null,
    away_since: c?.awaySince ?? null,
    pushed_position: c?.pushedPosition ?? 1,
  };
}

function toService(r: Selectable<ChatServicesTable>): ChatService {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as ChatService["kind"],
    queue: r.queue,
    gmsUser: r.gms_user,
    clientAddress: r.client_address,
    data: JSON.parse(r.data) as JsonObject,
    device: r.device === null ? null : (JSON.parse(r.device) as ChatService["device"]),
    status: r.status as ChatService["status"],
    createdAt: int(r.created_at),
    expiresAt: int(r.expires_at),
    chat:
      r.interaction_id === null
        ? null
        : {
            interactionId: r.interaction_id,
            api: int(r.api) === 2 ? 2 : 1,
            notifyBy: r.notify_by === "comet" ? "comet" : "poll",
            nickname: r.nickname ?? "Customer",
            userId: r.user_id ?? "",
            secureKey: r.secure_key ?? "",
            clientTimeZoneOffset: r.time_zone_offset ?? "0",
            startedAt: int(r.started_at ?? 0),
            ended: int(r.ended) === 1,
            nextPosition: int(r.next_position),
            transcriptBytes: int(r.transcript_bytes),
            delivered: int(r.delivered),
            lastSeenAt: int(r.last_seen_at ?? 0),
            awaySince: r.away_since === null ? null : int(r.away_since),
            pushedPosition: int(r.pushed_position),
          },
  };
}

/** The party an entry is by: `partiesOf` has stored every party of the entries it was given. */
function partyOf(parties: ReadonlyMap<string, number>, e: TranscriptEntry): number {
  const party = parties.get(partyKey(e.userType, e.nick));
  if (party === undefined) throw new Error(`no party stored for ${e.userType} ${e.nick}`);
  return party;
}

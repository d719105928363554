/**
 * Table shapes as Kysely sees them, shared by SQLite and PostgreSQL. JSON travels as text in
 * both (so values are echoed byte for byte, key order included); times are epoch milliseconds;
 * booleans are 0/1.
 */
import type { ColumnType, Generated } from "kysely";

/** PostgreSQL int8 arrives as a string unless it fits a double; the store normalises it. */
type Int8 = ColumnType<number | string, number, number>;

export interface ServicesTable {
  id: Generated<number | string>;
  customer_id: string | null;
  contact_key: string | null;
  /** JSON of `service_type` (long or string) or null. */
  service_type: string | null;
  started: string;
  completed: string | null;
  extensions: string;
  started_at: Int8;
  completed_at: Int8 | null;
  updated_at: Int8;
  auto_complete_after: Int8 | null;
  auto_complete_at: Int8 | null;
  expires_at: Int8;
  expiry_pinned: number;
  next_state_id: Generated<number>;
  next_task_id: Generated<number>;
}

/** Columns states and tasks (a service's steps) share; the step stores are written once against these. */
export interface StepColumns {
  service_id: Int8;
  id: number;
  type: string | null;
  started: string;
  completed: string | null;
  extensions: string;
  started_at: Int8;
  completed_at: Int8 | null;
}

export interface StatesTable extends StepColumns {
  previous_state_id: number | null;
}

export interface TasksTable extends StepColumns {
  state_id: number | null;
}

export interface CustomersTable {
  id: string;
  attributes: string;
  extensions: string;
  created_at: Int8;
  updated_at: Int8;
}

interface CustomerKeysTable {
  customer_id: string;
  name: string;
  value: string;
}

export interface InteractionsTable {
  id: string;
  customer_id: string | null;
  service_id: string | null;
  /** JSON of the resource fields that are not columns (see sql/history.ts). */
  resource: string;
  udata: string;
  start_date: Int8;
  plain_text: string | null;
  structured_text: string | null;
  structured_text_mime: string | null;
  binary_content: Uint8Array | null;
  binary_content_mime: string | null;
}

export interface UsersTable {
  id: string;
  user_name: string;
  first_name: string;
  last_name: string;
  roles: string;
  skills: string;
  capacity: string;
  password_hash: string;
  enabled: number;
  created_at: Int8;
  updated_at: Int8;
}

interface UserSessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Int8;
  expires_at: Int8;
}

interface AgentChannelsTable {
  user_id: string;
  channel: string;
  state: string;
  reason: string | null;
  changed_at: Int8;
  /** Defaulted to 0 on insert. */
  idle_since: ColumnType<number | string, number | undefined, number>;
  /** Slots held on the channel (routing's load); defaulted to 0 on insert, moved by interactions' changes. */
  load: ColumnType<number, number | undefined, number>;
}

interface AgentPresenceTable {
  user_id: string;
  node_id: string;
  expires_at: Int8;
  orphaned_at: Int8 | null;
}

interface QueuesTable {
  name: string;
  skills: string;
  created_at: Int8;
}

export interface AgentInteractionsTable {
  id: string;
  media_type: string;
  state: string;
  queue: string;
  /** The queue statistics count it in (migration 012). */
  entry_queue: string;
  owner_id: string | null;
  invited_id: string | null;
  invitation_kind: string | null;
  offer_expires_at: Int8 | null;
  conference: string;
  last_rejected_by: string | null;
  workbin: string | null;
  properties: string;
  customer_id: string | null;
  created_at: Int8;
  queued_at: Int8;
  updated_at: Int8;
  completed_at: Int8 | null;
  accepted_at: Int8 | null;
  answered_at: Int8 | null;
  abandoned_at: Int8 | null;
  priority: number;
  overflow_step: number;
  customer_key: string | null;
  save_last_agent: number;
}

interface LastAgentsTable {
  customer_key: string;
  agent_id: string;
  ended_at: Int8;
}

interface AgentWrapUpsTable {
  interaction_id: string;
  user_id: string;
  channel: string;
  queue: string;
  started_at: Int8;
  ends_at: Int8;
}

interface AgentStateLogTable {
  /** Made by the database. */
  id: Generated<number | string>;
  user_id: string;
  channel: string;
  state: string;
  reason: string | null;
  started_at: Int8;
  ended_at: Int8 | null;
}

export interface ChatServicesTable {
  id: string;
  name: string;
  kind: string;
  queue: string;
  gms_user: string | null;
  data: string;
  device: string | null;
  status: string | null;
  created_at: Int8;
  expires_at: Int8;
  interaction_id: string | null;
  notify_by: string | null;
  nickname: string | null;
  user_id: string | null;
  secure_key: string | null;
  time_zone_offset: string | null;
  started_at: Int8 | null;
  ended: ColumnType<number, number | undefined, number>;
  next_position: ColumnType<number, number | undefined, number>;
  delivered: ColumnType<number, number | undefined, number>;
  last_seen_at: Int8 | null;
  away_since: Int8 | null;
  pushed_position: ColumnType<number, number | undefined, number>;
  /** The client address it was created from (per-address limits count by it). */
  client_address: string | null;
  transcript_bytes: ColumnType<number, number | undefined, number>;
  /** 1 or 2: the customer API that opened the chat. */
  api: ColumnType<number, number | undefined, number>;
}

interface ChatTranscriptsTable {
  interaction_id: string;
  position: number;
  type: string;
  /** Entries since migration 006 leave it empty and name their party. */
  nick: string;
  text: string;
  at: Int8;
  user_type: string;
  party: number | null;
  /** JSON object of strings: what a file entry names; null on others. */
  data: string | null;
  /** The sender's id for the entry and whom it is scoped to (domain/chat.ts clientMessageKey); null when none was given. */
  client_message_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Files customers attached to v2 chats; their bytes are in the file store under `id`. */
export interface ChatFilesTable {
  id: string;
  interaction_id: string;
  name: string;
  type: string;
  size: Int8;
  description: string;
  uploaded_at: Int8;
  deleted: ColumnType<number, number | undefined, number>;
  downloads: ColumnType<number, number | undefined, number>;
}

/** A chat's parties: each nickname a chat's customer or agents appeared under, stored once. */
interface ChatPartiesTable {
  interaction_id: string;
  party: number;
  user_type: string;
  nick: string;
}

interface CsMetadataTable {
  kind: string;
  name: string;
  body: string;
  created_at: Int8;
}

export interface Database {
  services: ServicesTable;
  states: StatesTable;
  tasks: TasksTable;
  customers: CustomersTable;
  customer_keys: CustomerKeysTable;
  interactions: InteractionsTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  agent_channels: AgentChannelsTable;
  agent_presence: AgentPresenceTable;
  queues: QueuesTable;
  agent_interactions: AgentInteractionsTable;
  agent_wrap_ups: AgentWrapUpsTable;
  agent_state_log: AgentStateLogTable;
  last_agents: LastAgentsTable;
  chat_services: ChatServicesTable;
  chat_transcripts: ChatTranscriptsTable;
  chat_parties: ChatPartiesTable;
  chat_files: ChatFilesTable;
  cs_metadata: CsMetadataTable;
}

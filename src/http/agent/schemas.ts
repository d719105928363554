/**
 * Request schemas of the agent API (`/api/v2`, GWS), every route's, with the limits they share
 * named once in LIMITS.
 */
import Type from "typebox";
import { CLIENT_MESSAGE_ID } from "../../domain/chat-input.ts";
import { PRIORITY_MAX, PRIORITY_MIN } from "../../domain/priority.ts";
import { CHANNELS, PASSWORD_MAX } from "../../domain/users.ts";

/** Lengths (characters) and counts, the same wherever the field appears: path, query or body. */
const LIMITS = {
  /** A user's, an interaction's or a customer's id. */
  id: 64,
  /** A user name, a queue's or a skill's name, an operation's name. */
  name: 64,
  /** A first or last name; the name of an attached-data property. */
  longName: 128,
  /** `fields=`, `subresources=`, a NotReady reason. */
  text: 256,
  /** A media type, a channel, a role. */
  word: 32,
  /** Attached-data properties per interaction. */
  properties: 256,
  /** Skills per user or queue. */
  skills: 100,
} as const;

const Opt = Type.Optional;
const id = Type.String({ minLength: 1, maxLength: LIMITS.id });
const name = Type.String({ minLength: 1, maxLength: LIMITS.name });
const Skill = Type.Object({ name, level: Type.Integer({ minimum: 0, maximum: 10 }) });
const skills = Type.Array(Skill, { maxItems: LIMITS.skills });
/** Attached data: any JSON under each property name. */
const properties = Type.Record(Type.String({ maxLength: LIMITS.longName }), Type.Unknown(), { maxProperties: LIMITS.properties });
const text = Type.String({ maxLength: LIMITS.text });

export const IdParams = Type.Object({ id });

// Users.

const userFields = {
  userName: name,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  firstName: Type.String({ maxLength: LIMITS.longName }),
  lastName: Type.String({ maxLength: LIMITS.longName }),
  roles: Type.Array(Type.String({ maxLength: LIMITS.word }), { maxItems: 3 }),
  skills,
  capacity: Type.Record(Type.String({ maxLength: 16 }), Type.Integer({ minimum: 0, maximum: 100 }), { maxProperties: CHANNELS.length }),
  enabled: Type.Boolean(),
};
export const NewUser = Type.Object({
  userName: userFields.userName,
  password: userFields.password,
  firstName: Opt(userFields.firstName),
  lastName: Opt(userFields.lastName),
  roles: Opt(userFields.roles),
  skills: Opt(userFields.skills),
  capacity: Opt(userFields.capacity),
  enabled: Opt(userFields.enabled),
});
export const UserPatch = Type.Partial(NewUser);

// The caller (/me) and their channels.

export const StateChange = Type.Object({
  operationName: name,
  reason: Opt(text),
  /** StartContactCenterSession: the channels a GWS desktop logs in to (`voice` among them; parley's need no login). */
  channels: Opt(Type.Array(Type.String({ maxLength: LIMITS.word }), { maxItems: 32 })),
});
export const MeQuery = Type.Object({ subresources: Opt(text) });
/** `date`: only `today` for now (checked by the action, so any other value gets its 400 message). */
export const StatisticsQuery = Type.Object({ date: Opt(Type.String({ maxLength: LIMITS.word })) });
export const ChannelParams = Type.Object({ channel: Type.String({ minLength: 1, maxLength: LIMITS.word }) });

// Interactions (routed work) and queues.

export const ListQuery = Type.Object({ fields: Opt(text) });
export const Operation = Type.Object(
  {
    operationName: name,
    /** SendMessage (a parley extension, issue 20): the agent's id for the message; a retry with it adds nothing. Empty: none. */
    clientMessageId: Opt(
      Type.String({
        ...CLIENT_MESSAGE_ID,
        description: "SendMessage: the sender's id for the message, unique per chat and sender; a retry with it adds nothing and answers as the first did",
      }),
    ),
  },
  { additionalProperties: true },
);
/** Routing priority (domain/priority.ts): higher first. */
const priority = Type.Integer({ minimum: PRIORITY_MIN, maximum: PRIORITY_MAX });
export const Submission = Type.Object({
  mediaType: Type.String({ minLength: 1, maxLength: LIMITS.word }),
  queue: Opt(name),
  properties: Opt(properties),
  customerId: Opt(id),
  priority: Opt(priority),
});
/** Attached data (involved agents), a priority (supervisors, admins), or both. */
export const PropertiesUpdate = Type.Object({ properties: Opt(properties), priority: Opt(priority) });
export const NewQueue = Type.Object({ name, skills: Opt(skills) });
export const QueueParams = Type.Object({ name });

// Administration.

/** A backup's file name is checked where it is used (domain/backups.ts), with a message saying what a name may be. */
export const Backup = Type.Object({ name: Opt(Type.String({ maxLength: LIMITS.text })) });

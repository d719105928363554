/**
 * Request schemas of Context Services, every route's (seed 000/001/002, reference §2), with the
 * limits they share named once in LIMITS. Start and end events are open objects: any key not
 * listed is an extension holding any JSON.
 */
import Type, { type Static, type TSchema } from "typebox";
import { PURGE_OPERATIONS } from "../../actions/maintenance.ts";
import { CUSTOMER_ID_MAX } from "../../domain/customers.ts";
import { ISO_DATE_TIME } from "../../domain/journeys.ts";

/** Lengths (characters) and counts, the same wherever the field appears: path, query or body. */
const LIMITS = {
  /** A service id in a path (its digits; 128 leaves room for what a client may send instead). */
  serviceId: 128,
  /** A customer id in a path or a service's start event; a new profile's own id is at most CUSTOMER_ID_MAX. */
  customerId: 64,
  /** An anonymous service's contact key. */
  contactKey: 255,
  /** A contact-history entry's id (UCS ids are 16 characters). */
  historyId: 64,
  /** The name of an extension, an extension schema, an identification key or a business attribute. */
  name: 128,
  /** `extensions=a,b,State.c` and other comma-separated lists in a query. */
  list: 4096,
  /** A business attribute's value given as a string; also a list's single item. */
  businessAttribute: 255,
  /** How many items a repeated query parameter may have. */
  listItems: 100,
} as const;

const open = { additionalProperties: true } as const;
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
/** Any JSON object: the body is checked by its action (profiles, metadata). */
export const AnyObject = Type.Object({}, open);

/** Business-attribute typed fields accept a long or a string and echo what was sent. */
const BusinessAttribute = Type.Union([Type.Integer(), Type.String({ maxLength: LIMITS.businessAttribute })], {
  description: "long or string (a Business Attribute value), echoed as sent",
});
const Timestamp = Type.String({ pattern: ISO_DATE_TIME, description: "ISO 8601, e.g. 2009-05-12T12:05:12.145Z" });
/** Documented as a string; seed 000's own example sends a number, so both are taken. */
const InteractionId = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Integer()]);
const Seconds = Type.Integer({ minimum: 0, maximum: 100 * 365 * 86_400 });
const Int32 = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
/** An id in a body: an integer, or its digits in a string (the action reads either). */
const IdInBody = Type.Union([Int32, Type.String({ pattern: "^\\d{1,10}$" })], { description: "an integer id, or its digits as a string" });

// Path parameters.
const serviceId = Type.String({ minLength: 1, maxLength: LIMITS.serviceId });
const customerId = Type.String({ minLength: 1, maxLength: LIMITS.customerId });
const extName = Type.String({ minLength: 1, maxLength: LIMITS.name });
export const ServiceParams = Type.Object({ sid: serviceId });
export const CustomerServiceParams = Type.Object({ cid: customerId, sid: serviceId });
export const CustomerParams = Type.Object({ cid: customerId });
export const ContactKeyParams = Type.Object({ ck: Type.String({ minLength: 1, maxLength: LIMITS.contactKey }) });
export const StateParams = Type.Object({ sid: serviceId, stid: Int32 });
export const TaskParams = Type.Object({ sid: serviceId, tid: Int32 });
export const ServiceExtensionParams = Type.Object({ sid: serviceId, ext: extName });
export const StateExtensionParams = Type.Object({ sid: serviceId, stid: Int32, ext: extName });
export const TaskExtensionParams = Type.Object({ sid: serviceId, tid: Int32, ext: extName });
export const CustomerExtensionParams = Type.Object({ cid: customerId, ext: extName });
export const MergeParams = Type.Object({ cid: customerId, source: customerId });
export const HistoryParams = Type.Object({ iid: Type.String({ minLength: 1, maxLength: LIMITS.historyId }) });
export const NameParams = Type.Object({ name: extName });

/** The fields every start and end event has, but for the ids whose length limits differ. */
const eventFields = {
  application_type: Opt(BusinessAttribute),
  application_id: Opt(Type.Integer()),
  resource_type: Opt(BusinessAttribute),
  resource_id: Opt(Type.Integer()),
  media_type: Opt(BusinessAttribute),
  timestamp: Opt(Timestamp),
};

const commonStart = {
  ...eventFields,
  session_id: Opt(Type.String({ maxLength: 255 })),
  interaction_id: Opt(InteractionId(255)),
  est_duration: Opt(Seconds),
};

/** End events carry the documented length limits (EndEventList). */
const commonEnd = {
  ...eventFields,
  session_id: Opt(Type.String({ maxLength: 32 })),
  interaction_id: Opt(InteractionId(50)),
  disposition: Opt(BusinessAttribute),
  disposition_desc: Opt(Type.String({ maxLength: 64 })),
};

const expiry = { ttl: Opt(Seconds), expiration_time: Opt(Timestamp) };

export const ServiceStartEvent = Type.Object(
  {
    ...commonStart,
    ...expiry,
    customer_id: Opt(customerId),
    contact_key: Opt(Type.String({ minLength: 1, maxLength: LIMITS.contactKey })),
    service_type: Opt(BusinessAttribute),
    auto_complete_after: Opt(Type.Integer({ minimum: 1, maximum: 10 * 365 * 86_400 })),
  },
  open,
);
export const ServiceEndEvent = Type.Object({ ...commonEnd, ...expiry }, open);
export const StateStartEvent = Type.Object({ ...commonStart, state_type: Opt(BusinessAttribute), previous_state_id: Opt(IdInBody) }, open);
export const TaskStartEvent = Type.Object({ ...commonStart, task_type: Opt(BusinessAttribute), state_id: Opt(IdInBody) }, open);
export const EndEvent = Type.Object(commonEnd, open);

/** `from` is an end event of the state it names, `to` a start event: each is checked as one. */
export const TransitionEvent = Type.Object(
  {
    ...commonStart,
    from: Type.Object({ ...commonEnd, state_id: IdInBody }, open),
    to: Type.Object({ ...commonStart, state_type: Opt(BusinessAttribute) }, open),
  },
  open,
);

export const ExpirationUpdate = Type.Object({ ...expiry }, open);

/** Composite start: at most this many elements per request. */
const COMPOSITE_MAX = 100;
export const CompositeStart = Type.Object(
  {
    services: Type.Array(
      Type.Object(
        {
          service: ServiceStartEvent,
          state: StateStartEvent,
          task: Opt(TaskStartEvent),
          associate_state_task: Opt(Type.Boolean()),
          update_extensions: Opt(Type.Boolean()),
          create_new_services: Opt(Type.Boolean()),
        },
        open,
      ),
      { minItems: 1, maxItems: COMPOSITE_MAX },
    ),
    create_new_services: Opt(Type.Boolean()),
  },
  open,
);
export const CompositeQuery = Type.Object({ create_new_services: Opt(Type.Boolean()) });

/** Any JSON: the value of an extension. */
export const ExtensionValue = Type.Unknown({ description: "any JSON value" });

const flag = Opt(Type.Boolean());
const extensions = Opt(Type.String({ maxLength: LIMITS.list, description: "a,b,State.c,Task.*; * for all" }));
/** `service_types=a,b`, also sent repeated (`service_types=a&service_types=b`). */
const typeList = Opt(
  Type.Union([Type.String({ maxLength: LIMITS.list }), Type.Array(Type.String({ maxLength: LIMITS.businessAttribute }), { maxItems: LIMITS.listItems })]),
);

export const ServiceQuery = Type.Object({
  active_states: flag,
  completed_states: flag,
  active_tasks: flag,
  completed_tasks: flag,
  extensions,
});
export const ServiceListQuery = Type.Object({
  active_states: flag,
  completed_states: flag,
  active_tasks: flag,
  completed_tasks: flag,
  extensions,
  max_services: Opt(Type.Integer({ minimum: 1, maximum: 100_000 })),
  started_from: Opt(Timestamp),
  started_to: Opt(Timestamp),
  completed_from: Opt(Timestamp),
  completed_to: Opt(Timestamp),
  service_types: typeList,
});
export const StateQuery = Type.Object({ active_tasks: flag, completed_tasks: flag, extensions, state_types: typeList });
export const TaskQuery = Type.Object({ state_id: Opt(Int32), task_types: typeList, extensions });

/** Splits `a,b` / repeated parameters into a list; undefined when absent. */
export function listParam(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(",")).map((v) => v.trim());
  return items.filter(Boolean);
}

// Customer profiles (UCS part).

/** UCS's merge body, itself optional: accepted, recorded nowhere (parley keeps no audit trail of merges yet). */
export const MergeBody = Opt(
  Type.Object(
    {
      agent_id: Opt(Type.String({ maxLength: 255 })),
      force_merge: Opt(Type.Boolean()),
      reason: Opt(Type.String({ maxLength: 1024 })),
      description: Opt(Type.String({ maxLength: 4096 })),
    },
    open,
  ),
);
export const ProfileBody = Type.Object({ customer_id: Opt(Type.String({ minLength: 1, maxLength: CUSTOMER_ID_MAX })) }, open);
export const ProfileQuery = Type.Object({ extensions: Opt(Type.String({ maxLength: LIMITS.list })) });
/** Identify Customer: control parameters plus any `Attribute=value` (or `ext.attr=value`) pairs. */
export const IdentifyQuery = Type.Object(
  {
    id_key: Opt(Type.String({ maxLength: 255 })),
    include_profile: Opt(Type.Union([Type.Literal("yes"), Type.Literal("no"), Type.Literal("true"), Type.Literal("false")])),
    extensions: Opt(Type.String({ maxLength: LIMITS.list })),
    include_extensions: Opt(Type.Union([Type.Literal("always"), Type.Literal("unique")])),
  },
  { additionalProperties: Type.Union([Type.String({ maxLength: 1024 }), Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1 })]), maxProperties: 32 },
);
export type IdentifyQuery = Static<typeof IdentifyQuery> & Record<string, string | string[] | undefined>;

// Maintenance.

const MaintenanceTime = Type.String({ pattern: ISO_DATE_TIME, maxLength: 64 });
export const PurgeBody = Type.Object({
  limit: MaintenanceTime,
  operation: Type.Union(Object.keys(PURGE_OPERATIONS).map((op) => Type.Literal(op))),
});
export const StreamQuery = Type.Object({
  time_from: MaintenanceTime,
  time_to: Opt(MaintenanceTime),
  filter_events: Opt(Type.Union([Type.Literal("any"), Type.Literal("started"), Type.Literal("completed")])),
  export_content: Opt(Type.Boolean()),
  filter_state: Opt(Type.Union([Type.Literal("any"), Type.Literal("active"), Type.Literal("inactive")])),
});

// Metadata.

export const BusinessAttributeQuery = Type.Object({ "cv-attribute": Opt(Type.String({ maxLength: LIMITS.name })) });

/**
 * Request schemas for services, states, tasks and composite start (seed 000/001, reference §2).
 * Start and end events are open objects: any key not listed is an extension holding any JSON.
 */
import Type, { type TSchema } from "typebox";
import { ISO_DATE_TIME } from "../../domain/journeys.ts";

const open = { additionalProperties: true } as const;
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** Business-attribute typed fields accept a long or a string and echo what was sent. */
export const BusinessAttribute = Type.Union([Type.Integer(), Type.String({ maxLength: 255 })], {
  description: "long or string (a Business Attribute value), echoed as sent",
});
export const Timestamp = Type.String({ pattern: ISO_DATE_TIME, description: "ISO 8601, e.g. 2009-05-12T12:05:12.145Z" });
/** Documented as a string; seed 000's own example sends a number, so both are taken. */
const InteractionId = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Integer()]);
const Seconds = Type.Integer({ minimum: 0, maximum: 100 * 365 * 86_400 });
const Int32 = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });
/** An id in a body: an integer, or its digits in a string (the action reads either). */
const IdInBody = Type.Union([Int32, Type.String({ pattern: "^\\d{1,10}$" })], { description: "an integer id, or its digits as a string" });

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
    customer_id: Opt(Type.String({ minLength: 1, maxLength: 64 })),
    contact_key: Opt(Type.String({ minLength: 1, maxLength: 255 })),
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
export const COMPOSITE_MAX = 100;
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

export const ServiceParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 128 }) });
export const CustomerServiceParams = Type.Object({
  cid: Type.String({ minLength: 1, maxLength: 64 }),
  sid: Type.String({ minLength: 1, maxLength: 128 }),
});
export const CustomerParams = Type.Object({ cid: Type.String({ minLength: 1, maxLength: 64 }) });
export const ContactKeyParams = Type.Object({ ck: Type.String({ minLength: 1, maxLength: 255 }) });
export const StateParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 128 }), stid: Int32 });
export const TaskParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 128 }), tid: Int32 });
const extName = Type.String({ minLength: 1, maxLength: 128 });
export const ServiceExtensionParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 128 }), ext: extName });
export const StateExtensionParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 128 }), stid: Int32, ext: extName });
export const TaskExtensionParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: 128 }), tid: Int32, ext: extName });

const flag = Opt(Type.Boolean());
const extensions = Opt(Type.String({ maxLength: 4096, description: "a,b,State.c,Task.*; * for all" }));
/** `service_types=a,b`, also sent repeated (`service_types=a&service_types=b`). */
const typeList = Opt(Type.Union([Type.String({ maxLength: 4096 }), Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 })]));

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

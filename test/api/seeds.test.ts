/**
 * Every example of seeds 000 and 001, replayed. The seeds' JSON is broken by OCR and by the
 * documents themselves (`"task_type":customer info`, `"price":25 000`, missing braces); each
 * example is sent once as printed (where it is not JSON, it must get a 400 naming the problem)
 * and once repaired (it must succeed with the documented response).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, get, post, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

/** Seed 000, Start Task example, exactly as printed. */
const SEED_000_AS_PRINTED = `{
  "interaction_id":42,
  "est_duration":460,
"state_id":24,
"task_type":customer info,
"Survey":
{
  "url":"http://ourServer/storage/userAnswers",
  "question1":7,
  "question2":true,
  "question3":"will be better with cable tv and on-demand video"
},
"Proposal": [
  {
    "car type":"cabriolet",
    "price":25 000,
    "seats":2,
    "comments":"200 cv, hardtop"
  },
  {
    "car type":"S.U.V.",
    "price":70 000,
    "seats":8,
    "comments":"4wd, leather seats"
  }
]
}`;

const SEED_000_REPAIRED = {
  interaction_id: 42,
  est_duration: 460,
  task_type: "customer info",
  Survey: {
    url: "http://ourServer/storage/userAnswers",
    question1: 7,
    question2: true,
    question3: "will be better with cable tv and on-demand video",
  },
  Proposal: [
    { "car type": "cabriolet", price: 25000, seats: 2, comments: "200 cv, hardtop" },
    { "car type": "S.U.V.", price: 70000, seats: 8, comments: "4wd, leather seats" },
  ],
};

/** Seed 001, Start Service with a contact key: its braces were lost; repaired. */
const SEED_001_START = {
  timestamp: "2009-05-12T12:05:12.145Z",
  interaction_id: "123ABCAADFJ1259ACF",
  media_type: 1,
  resource_id: 5005,
  resource_type: 2,
  disposition: 10,
  contact_key: "ANI-5550100",
  coupon: { coupon_name: "DISCOUNTCODE15" },
  satisfaction: { score: 85, agentID: 2025 },
  relatedOffers: [
    { offer_name: "VIP credit card black ed.", comments: "proposed to all client" },
    { offer_name: "3 times payment GOLD", comments: "limited offer" },
    { offer_name: "life insurance", comments: "healt check to be done before approval" },
  ],
};

describe("seed 000: Start Task", () => {
  it("answers the example as printed with 400 naming the bad token and where it is", async () => {
    const sid = (await post(`${server.cs}/services/start`, { customer_id: "seed0" })).body.service_id;
    const reply = await post(`${server.cs}/services/${sid}/tasks/start`, SEED_000_AS_PRINTED);
    const error = assertGmsError(reply, 400, "BadRequestException");
    assert.match(error.message, /malformed JSON body: Unexpected token 'c'.* at line 5, column 13/);
    assert.equal((await get(`${server.cs}/services/${sid}/tasks`)).body.length, 0);
  });

  it("starts the repaired example: 201, Location, {task_id}; the extensions come back", async () => {
    const sid = (await post(`${server.cs}/services/start`, { customer_id: "seed0" })).body.service_id;
    const state = (await post(`${server.cs}/services/${sid}/states/start`, {})).body.state_id;
    const reply = await post(`${server.cs}/services/${sid}/tasks/start`, { ...SEED_000_REPAIRED, state_id: state });
    assert.equal(reply.status, 201);
    assert.deepEqual(Object.keys(reply.body), ["task_id"]);
    assert.equal(typeof reply.body.task_id, "number");
    assert.equal(reply.headers.get("location"), `${server.cs}/services/${sid}/tasks/${reply.body.task_id}`);
    const task = (await get(`${server.cs}/services/${sid}/tasks/${reply.body.task_id}?extensions=Survey,Proposal`)).body;
    assert.deepEqual(task.Survey, SEED_000_REPAIRED.Survey);
    assert.deepEqual(task.Proposal, SEED_000_REPAIRED.Proposal);
    assert.equal(task.est_duration, 460);
    assert.equal(task.started.interaction_id, 42);
    assert.equal(task.task_type, "customer info");
  });
});

describe("seed 001: Services, States and Tasks", () => {
  it("starts a service with a contact key; coupon, satisfaction and relatedOffers are extensions", async () => {
    const reply = await post(`${server.cs}/services/start`, SEED_001_START);
    assert.equal(reply.status, 201);
    const [service] = (await get(`${server.cs}/services/anonymous/ANI-5550100/active?extensions=coupon,satisfaction,relatedOffers`)).body;
    assert.equal(service.service_id, reply.body.service_id);
    assert.deepEqual(service.coupon, SEED_001_START.coupon);
    assert.deepEqual(service.satisfaction, SEED_001_START.satisfaction);
    assert.deepEqual(service.relatedOffers, SEED_001_START.relatedOffers);
    assert.equal(service.started.timestamp, "2009-05-12T12:05:12.145Z");
    assert.equal(service.started.resource_id, 5005);
  });

  it("performs the state transition example (timestamp without a zone)", async () => {
    const sid = (await post(`${server.cs}/services/start`, { customer_id: "ABC1234" })).body.service_id;
    const from = (await post(`${server.cs}/services/${sid}/states/start`, { state_type: 7 })).body.state_id;
    const reply = await post(`${server.cs}/services/${sid}/states/transition`, {
      timestamp: "2009-05-07T12:05:20.157",
      session_id: "11000ABC-80236C1A-1010",
      interaction_id: "123ABC908ABFFD8080",
      from: {
        state_id: from,
        disposition: 1,
        disposition_desc: "SUCCESS",
        Feedback: [{ FeedbackType: "survey", rating: 7, notes: "warm welcome at frontdesk, thanks for the nice trip" }],
      },
      Satisfaction: [{ place: "Terranova mexico resort" }, { place: "Fancy resort Paris" }],
      to: { state_type: 8, est_duration: 500, Sponsoring: { Rank: "first", expire: 7, notes: "give customer free meal" } },
    });
    assert.equal(reply.status, 201);
    const states = (await get(`${server.cs}/services/${sid}/states?extensions=*`)).body;
    assert.equal(states.length, 2);
    assert.equal(states[0].disposition_desc, "SUCCESS");
    assert.equal(states[0].completed.timestamp, "2009-05-07T12:05:20.157");
    assert.equal(states[1].state_type, 8);
    assert.deepEqual(states[1].Sponsoring, { Rank: "first", expire: 7, notes: "give customer free meal" });
    assert.equal(states[1].Satisfaction.length, 2);
  });

  it("queries a customer's active services with their active states", async () => {
    const sid = (await post(`${server.cs}/services/start`, { customer_id: "ABC1235", est_duration: 86400, timestamp: "2009-05-07T12:05:20.157" })).body
      .service_id;
    await post(`${server.cs}/services/${sid}/states/start`, { state_type: 8, timestamp: "2009-05-07T12:08:53.298" });
    const reply = await get(`${server.cs}/customers/ABC1235/services/active?active_states=true`);
    assert.equal(reply.status, 200);
    const [service] = reply.body;
    assert.equal(service.customer_id, "ABC1235");
    assert.equal(service.service_id, sid);
    assert.equal(service.est_duration, 86400);
    assert.equal(service.started.timestamp, "2009-05-07T12:05:20.157");
    assert.equal(service.active_states[0].state_type, 8);
    assert.equal(service.active_states[0].started.timestamp, "2009-05-07T12:08:53.298");
  });

  it("answers max_services on every documented query path", async () => {
    for (let i = 0; i < 3; i++) {
      await post(`${server.cs}/services/start`, { customer_id: "MAX1", contact_key: "max-key" });
      await post(`${server.cs}/services/start`, { contact_key: "max-key" });
    }
    const paths = [
      "/customers/MAX1/services",
      "/customers/MAX1/services/active",
      "/customers/MAX1/services/completed",
      "/services/anonymous/max-key",
      "/services/anonymous/max-key/active",
      "/services/anonymous/max-key/completed",
    ];
    for (const path of paths) {
      const reply = await get(`${server.cs}${path}?max_services=2`);
      assert.equal(reply.status, 200, path);
      assert.ok(reply.body.length <= 2, path);
    }
    assert.equal((await get(`${server.cs}/services/anonymous/max-key?max_services=2`)).body.length, 2);
  });
});

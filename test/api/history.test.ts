import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { recordHistoryEntry, type HistoryEntryInput } from "../../src/actions/history.ts";
import { assertGmsError, get, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

/** Seed 002's example interaction, recorded the way the chat media will record one. */
function seedInteraction(overrides: Partial<HistoryEntryInput> = {}): HistoryEntryInput {
  return {
    id: "00001a57JGQ00BW8",
    customerId: "00001a57JGQ00BVU",
    serviceId: null,
    mediaType: "chat",
    type: "Inbound",
    subType: "InboundNew",
    status: 3,
    entityType: 2,
    subject: "SMS chat",
    threadId: "00001a57JGQ00BW9",
    externalId: "00AF4A7951D60009",
    ownerId: 124,
    creatorAppId: 175,
    startDate: Date.parse("2009-08-05T09:33:10.000Z"),
    endDate: Date.parse("2009-08-05T09:34:04.140Z"),
    establishedDate: Date.parse("2009-08-05T09:33:15.000Z"),
    releasedDate: Date.parse("2009-08-05T09:33:59.000Z"),
    udata: { RTargetAgentSelected: "1002", ChatServerPort: "23874" },
    content: {
      plainText: "Customer: hello\nAgent: hi",
      structuredText: "<chatTranscript><message>hello</message></chatTranscript>",
      structuredTextMime: "text/xml",
      binaryContent: new Uint8Array([0, 1, 2, 255]),
      binaryContentMime: "application/octet-stream",
    },
    ...overrides,
  };
}

describe("Query Interactions", () => {
  it("returns the seed 002 resource by id, with content as URLs", async () => {
    await recordHistoryEntry(server.app.ctx, seedInteraction());
    const reply = await get(`${server.cs}/interactions/00001a57JGQ00BW8`);
    assert.equal(reply.status, 200);
    const base = `${server.cs}/interactions/00001a57JGQ00BW8`;
    assert.deepEqual(reply.body, {
      interaction_id: "00001a57JGQ00BW8",
      media_type: "chat",
      type: "Inbound",
      status: 3,
      entity_type: 2,
      start_date: "2009-08-05T09:33:10.000Z",
      udata: { RTargetAgentSelected: "1002", ChatServerPort: "23874" },
      customer_id: "00001a57JGQ00BVU",
      sub_type: "InboundNew",
      subject: "SMS chat",
      thread_id: "00001a57JGQ00BW9",
      external_id: "00AF4A7951D60009",
      owner_id: 124,
      creator_app_id: 175,
      end_date: "2009-08-05T09:34:04.140Z",
      established_date: "2009-08-05T09:33:15.000Z",
      released_date: "2009-08-05T09:33:59.000Z",
      text: `${base}/plain_text`,
      structured_text: `${base}/structured_text`,
      structured_text_mime: "text/xml",
      binary_content: `${base}/binary_content`,
    });
  });

  it("serves each content with its type", async () => {
    const base = `${server.cs}/interactions/00001a57JGQ00BW8`;
    const text = await fetch(`${base}/plain_text`);
    assert.match(text.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(await text.text(), "Customer: hello\nAgent: hi");
    const xml = await fetch(`${base}/structured_text`);
    assert.match(xml.headers.get("content-type") ?? "", /^text\/xml/);
    assert.match(await xml.text(), /<chatTranscript>/);
    const binary = await fetch(`${base}/binary_content`);
    assert.deepEqual(new Uint8Array(await binary.arrayBuffer()), new Uint8Array([0, 1, 2, 255]));
  });

  it("lists a customer's and a service's interactions oldest first", async () => {
    const later = seedInteraction({ id: "LATER00000000001", startDate: Date.parse("2010-01-01T00:00:00.000Z"), serviceId: "42" });
    await recordHistoryEntry(server.app.ctx, later);
    const list = (await get(`${server.cs}/customers/00001a57JGQ00BVU/interactions`)).body;
    assert.deepEqual(
      list.map((i: { interaction_id: string }) => i.interaction_id),
      ["00001a57JGQ00BW8", "LATER00000000001"],
    );
    const ofService = (await get(`${server.cs}/services/42/interactions`)).body;
    assert.deepEqual(
      ofService.map((i: { interaction_id: string }) => i.interaction_id),
      ["LATER00000000001"],
    );
    assert.deepEqual((await get(`${server.cs}/customers/stranger/interactions`)).body, []);
  });

  it("omits URLs for content it does not have and answers 404 there", async () => {
    const bare = seedInteraction({
      id: "BARE000000000001",
      content: { plainText: "only text", structuredText: null, structuredTextMime: null, binaryContent: null, binaryContentMime: null },
    });
    await recordHistoryEntry(server.app.ctx, bare);
    const resource = (await get(`${server.cs}/interactions/BARE000000000001`)).body;
    assert.ok(resource.text);
    assert.equal(resource.structured_text, undefined);
    assert.equal(resource.binary_content, undefined);
    assertGmsError(await get(`${server.cs}/interactions/BARE000000000001/structured_text`), 404, "NotFoundException");
    assertGmsError(await get(`${server.cs}/interactions/NOPE/plain_text`), 404, "NotFoundException");
    assertGmsError(await get(`${server.cs}/interactions/NOPE`), 404, "NotFoundException");
  });
});

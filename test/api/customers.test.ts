import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertGmsError, get, post, put, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

const JANE = {
  FirstName: "Jane",
  LastName: "Doe",
  EmailAddress: ["jane@example.com", "jd@example.org"],
  Phone: [{ PhoneType: 1, PhoneNumber: "+33298143456" }],
};

describe("Create and Query Customer Profile", () => {
  it("creates with a generated 16-character id (201, Location) and reads it back", async () => {
    const reply = await post(`${server.cs}/profiles`, JANE);
    assert.equal(reply.status, 201);
    const id = reply.body.customer_id;
    assert.match(id, /^[0-9A-Za-z]{16}$/);
    assert.equal(reply.headers.get("location"), `${server.cs}/profiles/${id}`);
    const profile = (await get(`${server.cs}/profiles/${id}`)).body;
    assert.deepEqual(profile, { customer_id: id, FirstName: "Jane", LastName: "Doe", EmailAddress: JANE.EmailAddress });
    const withPhone = (await get(`${server.cs}/profiles/${id}?extensions=Phone`)).body;
    assert.deepEqual(withPhone.Phone, JANE.Phone);
  });

  it("keeps a given id and refuses it twice", async () => {
    assert.equal((await post(`${server.cs}/profiles`, { customer_id: "0004Va58A92T0017", LastName: "Roe" })).status, 201);
    assertGmsError(await post(`${server.cs}/profiles`, { customer_id: "0004Va58A92T0017" }), 400, "InvalidStateException");
    assertGmsError(await post(`${server.cs}/profiles`, { customer_id: "x".repeat(17) }), 400, "BadRequestException");
  });

  it("answers 404 for an unknown profile", async () => {
    assertGmsError(await get(`${server.cs}/profiles/nobody`), 404, "NotFoundException");
  });
});

describe("Update Customer Profile", () => {
  it("replaces the attributes and keeps extensions unless some are given", async () => {
    const id = (await post(`${server.cs}/profiles`, JANE)).body.customer_id;
    assert.equal((await put(`${server.cs}/profiles/${id}`, { FirstName: "Janet" })).status, 204);
    const profile = (await get(`${server.cs}/profiles/${id}?extensions=*`)).body;
    assert.equal(profile.FirstName, "Janet");
    assert.equal(profile.LastName, undefined, "attributes left out are dropped");
    assert.deepEqual(profile.Phone, JANE.Phone);
    assertGmsError(await put(`${server.cs}/profiles/nobody`, {}), 404, "NotFoundException");
  });

  it("inserts extension records", async () => {
    const id = (await post(`${server.cs}/profiles`, { LastName: "Ext" })).body.customer_id;
    assert.equal((await post(`${server.cs}/profiles/${id}/extensions`, { Loyalty: { tier: "gold" } })).status, 200);
    assert.deepEqual((await get(`${server.cs}/profiles/${id}?extensions=Loyalty`)).body.Loyalty, { tier: "gold" });
    assertGmsError(await post(`${server.cs}/profiles/${id}/extensions`, { Loyalty: "gold" }), 400, "BadRequestException");
  });
});

describe("Identify Customer", () => {
  it("finds customers matching every given attribute, multi-valued and extension fields included", async () => {
    const a = (await post(`${server.cs}/profiles`, { FirstName: "Ida", LastName: "Ident", EmailAddress: ["ida@x.com"] })).body.customer_id;
    const b = (await post(`${server.cs}/profiles`, { FirstName: "Ivo", LastName: "Ident", Phone: [{ PhoneNumber: "+1555" }] })).body.customer_id;
    assert.deepEqual((await get(`${server.cs}/profiles?LastName=Ident`)).body, [{ customer_id: a }, { customer_id: b }]);
    assert.deepEqual((await get(`${server.cs}/profiles?LastName=Ident&FirstName=Ida`)).body, [{ customer_id: a }]);
    assert.deepEqual((await get(`${server.cs}/profiles?EmailAddress=ida@x.com`)).body, [{ customer_id: a }]);
    assert.deepEqual((await get(`${server.cs}/profiles?Phone.PhoneNumber=%2B1555`)).body, [{ customer_id: b }]);
    const full = (await get(`${server.cs}/profiles?FirstName=Ivo&include_profile=yes&extensions=Phone`)).body;
    assert.equal(full[0].LastName, "Ident");
    assert.deepEqual(full[0].Phone, [{ PhoneNumber: "+1555" }]);
    assert.deepEqual((await get(`${server.cs}/profiles?LastName=Nobody`)).body, []);
  });

  it("follows updates and needs at least one attribute", async () => {
    const id = (await post(`${server.cs}/profiles`, { LastName: "Before" })).body.customer_id;
    await put(`${server.cs}/profiles/${id}`, { LastName: "After" });
    assert.deepEqual((await get(`${server.cs}/profiles?LastName=Before`)).body, []);
    assert.deepEqual((await get(`${server.cs}/profiles?LastName=After`)).body, [{ customer_id: id }]);
    assertGmsError(await get(`${server.cs}/profiles?include_profile=yes`), 400, "BadRequestException");
  });
});

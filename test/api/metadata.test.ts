/**
 * Context Services metadata: business attributes from the config file (listed, and checking the
 * fields they type), profile extension schemas with the by/unique record operations, and
 * identification keys steering Identify Customer.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertGmsError, del, get, post, put, startServer, type TestServer } from "../support/server.ts";

let server: TestServer;
before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), "parley-ba-")), "parley.json");
  writeFileSync(
    file,
    JSON.stringify({
      businessAttributes: [
        {
          name: "MediaType",
          dbid: 101,
          display_name: "Media Type",
          cv_attributes: ["Service.media_type", "Task.media_type"],
          values: [
            { name: "voice", dbid: 1001 },
            { name: "chat", dbid: 1006 },
          ],
        },
        { name: "ServiceType", cv_attributes: ["Service.type"], values: [{ name: "booking", dbid: "2001" }] },
      ],
    }),
  );
  server = await startServer({ env: { PARLEY_CONFIG: file } });
});
after(() => server.close());

describe("business attributes", () => {
  it("are listed, by name and by the CS field they type", async () => {
    const all = (await get(`${server.cs}/metadata/business-attributes`)).body;
    assert.deepEqual(
      all.map((ba: { name: string }) => ba.name),
      ["MediaType", "ServiceType"],
    );
    const media = (await get(`${server.cs}/metadata/business-attributes/MediaType`)).body;
    assert.deepEqual([media.dbid, media.display_name, media.values[1].name, media.values[1].dbid], ["101", "Media Type", "chat", "1006"]);
    assert.deepEqual(
      (await get(`${server.cs}/metadata/business-attributes?cv-attribute=Service.type`)).body.map((b: { name: string }) => b.name),
      ["ServiceType"],
    );
    assert.deepEqual((await get(`${server.cs}/metadata/business-attributes?cv-attribute=State.type`)).body, []);
    assertGmsError(await get(`${server.cs}/metadata/business-attributes/Nope`), 404, "NotFoundException");
  });

  it("check the fields they type, accepting a value's name or its dbid", async () => {
    for (const media_type of ["chat", 1006, "1006"]) {
      assert.equal((await post(`${server.cs}/services/start`, { contact_key: "ba", media_type, service_type: "booking" })).status, 201, String(media_type));
    }
    assert.equal((await post(`${server.cs}/services/start`, { contact_key: "ba", service_type: 2001 })).status, 201);
    const bad = assertGmsError(await post(`${server.cs}/services/start`, { contact_key: "ba", media_type: "fax" }), 400, "BadRequestException");
    assert.match(bad.message, /^media_type: not a value of business attribute MediaType: one of voice \(1001\), chat \(1006\)/);
    assertGmsError(await post(`${server.cs}/services/start`, { contact_key: "ba", service_type: "sales" }), 400, "BadRequestException");
    const sid = (await post(`${server.cs}/services/start`, { contact_key: "ba" })).body.service_id;
    assertGmsError(await post(`${server.cs}/services/${sid}/tasks/start`, { media_type: 7 }), 400, "BadRequestException");
    // No attribute types State.type: any value.
    assert.equal((await post(`${server.cs}/services/${sid}/states/start`, { state_type: "anything" })).status, 201);
  });
});

describe("profile extension schemas and by/unique records", () => {
  it("are created (201, Location), listed, read, refused twice, deleted", async () => {
    const schema = {
      name: "Phones",
      type: "multi-valued",
      attributes: [
        { name: "PhoneType", type: "string" },
        { name: "Number", type: "string" },
      ],
      unique: ["PhoneType"],
    };
    const created = await post(`${server.cs}/metadata/profiles/extensions`, schema);
    assert.equal(created.status, 201, created.text);
    assert.match(created.headers.get("location") ?? "", /\/genesys\/1\/cs\/metadata\/profiles\/extensions\/Phones$/);
    assertGmsError(await post(`${server.cs}/metadata/profiles/extensions`, { ...schema, name: "PHONES" }), 400, "InvalidStateException");
    assert.deepEqual((await get(`${server.cs}/metadata/profiles/extensions/phones`)).body.unique, ["PhoneType"]);
    assert.equal((await get(`${server.cs}/metadata/profiles/extensions`)).body.length, 1);
    assert.deepEqual((await get(`${server.cs}/metadata/profiles`)).body.extensions[0].name, "Phones");
    for (const body of [
      { name: "1bad", type: "single-valued", attributes: [{ name: "a" }] },
      { name: "X", type: "many", attributes: [{ name: "a" }] },
      { name: "X", type: "single-valued", attributes: [] },
      { name: "X", type: "single-valued", attributes: [{ name: "a" }], unique: ["b"] },
    ]) {
      assertGmsError(await post(`${server.cs}/metadata/profiles/extensions`, body), 400, "BadRequestException");
    }
    assert.equal((await post(`${server.cs}/metadata/profiles/extensions`, { name: "Temp", type: "single-valued", attributes: [{ name: "a" }] })).status, 201);
    assert.equal((await del(`${server.cs}/metadata/profiles/extensions/Temp`)).status, 204);
    assertGmsError(await get(`${server.cs}/metadata/profiles/extensions/Temp`), 404, "NotFoundException");
  });

  it("a record is updated or deleted by its unique attributes", async () => {
    await post(`${server.cs}/metadata/profiles/extensions`, {
      name: "Cards",
      type: "multi-valued",
      attributes: [{ name: "Kind" }, { name: "Last4" }],
      unique: ["Kind"],
    });
    await post(`${server.cs}/profiles`, {
      customer_id: "UNIQ1",
      Cards: [
        { Kind: "visa", Last4: "1111" },
        { Kind: "amex", Last4: "2222" },
      ],
    });
    assert.equal((await put(`${server.cs}/profiles/UNIQ1/extensions/Cards/by/unique`, { Kind: "amex", Last4: "3333" })).status, 204);
    assert.deepEqual((await get(`${server.cs}/profiles/UNIQ1?extensions=Cards`)).body.Cards, [
      { Kind: "visa", Last4: "1111" },
      { Kind: "amex", Last4: "3333" },
    ]);
    assert.equal((await put(`${server.cs}/profiles/UNIQ1/extensions/Cards/delete/by/unique`, { Kind: "visa" })).status, 204);
    assert.deepEqual((await get(`${server.cs}/profiles/UNIQ1?extensions=Cards`)).body.Cards, [{ Kind: "amex", Last4: "3333" }]);
    assertGmsError(await put(`${server.cs}/profiles/UNIQ1/extensions/Cards/by/unique`, { Kind: "discover", Last4: "1" }), 404, "NotFoundException");
    assertGmsError(await put(`${server.cs}/profiles/UNIQ1/extensions/Cards/by/unique`, { Last4: "1" }), 400, "BadRequestException");
    assertGmsError(await put(`${server.cs}/profiles/UNIQ1/extensions/NoSchema/by/unique`, { Kind: "amex" }), 400, "BadRequestException");
    assertGmsError(await put(`${server.cs}/profiles/NOBODY/extensions/Cards/by/unique`, { Kind: "amex" }), 404, "NotFoundException");
  });
});

describe("identification keys", () => {
  it("steer Identify: the key whose attributes are all given, or id_key; only its attributes are matched", async () => {
    await post(`${server.cs}/profiles`, { customer_id: "IDK1", LastName: "Doe", FirstName: "Jane", City: "Paris", EmailAddress: ["jane@doe.example"] });
    await post(`${server.cs}/profiles`, { customer_id: "IDK2", LastName: "Doe", FirstName: "John", City: "Rome" });
    assert.equal((await post(`${server.cs}/metadata/identification-keys`, { name: "ByName", attributes: ["LastName", "FirstName"] })).status, 201);
    assert.equal((await post(`${server.cs}/metadata/identification-keys`, { name: "ByEmail", index: ["EmailAddress"] })).status, 201);
    assert.deepEqual(
      (await get(`${server.cs}/metadata/identification-keys`)).body.map((k: { name: string }) => k.name),
      ["ByName", "ByEmail"],
    );
    // ByName is complete; City is no attribute of it, so a wrong City does not matter.
    assert.deepEqual((await get(`${server.cs}/profiles?LastName=Doe&FirstName=Jane&City=Nowhere`)).body, [{ customer_id: "IDK1" }]);
    // A prefix of ByName: both Does.
    assert.deepEqual((await get(`${server.cs}/profiles?LastName=Doe`)).body.map((c: { customer_id: string }) => c.customer_id).sort(), ["IDK1", "IDK2"]);
    assert.deepEqual((await get(`${server.cs}/profiles?id_key=ByEmail&EmailAddress=jane@doe.example&LastName=Nobody`)).body, [{ customer_id: "IDK1" }]);
    assertGmsError(await get(`${server.cs}/profiles?City=Paris`), 400, "BadRequestException");
    assertGmsError(await get(`${server.cs}/profiles?id_key=Nope&City=Paris`), 400, "BadRequestException");
    assert.equal((await del(`${server.cs}/metadata/identification-keys/ByName`)).status, 204);
    assert.equal((await del(`${server.cs}/metadata/identification-keys/ByEmail`)).status, 204);
    // Without keys, every given attribute is matched again.
    assert.deepEqual((await get(`${server.cs}/profiles?City=Paris`)).body, [{ customer_id: "IDK1" }]);
  });
});

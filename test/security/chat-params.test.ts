/**
 * The Chat API's lenient parameters (query, form, multipart, JSON, JSON labelled as a form):
 * whatever the body, a refusal is a 4xx in the GMS body that changes nothing, never a 500; a
 * fuzz run over malformed multipart and form bodies (fast-check, fixed seed, so a failure
 * replays). Expected refusals, 503s included, are not logged as errors: anyone could fill the
 * error log with them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { chatApi, entries } from "../support/chat.ts";
import { assertGmsError, call, present, startServer, type LogLine, type TestServer } from "../support/server.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const WARN = 40;
const ERROR = 50;

let server: TestServer;
let chat: ReturnType<typeof chatApi>;
const logs: LogLine[] = [];
before(async () => {
  server = await startServer({ logs: { level: "debug", lines: logs } });
  chat = chatApi(server.url);
});
after(() => server.close());

const multipart = { "content-type": "multipart/form-data; boundary=xyz" };
const part = (disposition: string, value: string) => `--xyz\r\nContent-Disposition: ${disposition}\r\n\r\n${value}\r\n`;

describe("a multipart part without a name", () => {
  const nameless = [
    ["no name at all", "form-data"],
    ["an empty name", 'form-data; name=""'],
    ["only the RFC 5987 name*", "form-data; name*=utf-8''%E2%82%AC"],
  ] as const;

  for (const [what, disposition] of nameless) {
    it(`${what}: 400 BadRequestException on every Chat API route, and nothing changes`, async () => {
      const body = `${part(disposition, "hello")}${part('form-data; name="message"', "hi")}--xyz--\r\n`;
      const id = await chat.create();
      const created = await call("POST", `${chat.service}/request-chat`, body, multipart);
      assert.match(assertGmsError(created, 400, "BadRequestException").message, /multipart part without a name/);
      assertGmsError(await call("POST", `${chat.service}/${id}/status`, body, multipart), 400, "BadRequestException");
      assertGmsError(await call("POST", `${chat.service}/${id}/ixn/chat`, body, multipart), 400, "BadRequestException");
      assert.equal((await server.app.store.chats.get(id))?.chat, null, "no chat was started");
      assert.equal((await chat.call(id, "ixn/chat")).status, 200);
      assertGmsError(await call("POST", `${chat.service}/${id}/ixn/chat/send`, body, multipart), 400, "BadRequestException");
      assertGmsError(await call("POST", `${chat.service}/${id}/internal-poke`, body, multipart), 400, "BadRequestException");
      const transcript = entries(await chat.call(id, "ixn/chat/refresh", { transcriptPosition: "1" }));
      assert.equal(transcript.filter((e) => e[0] === "Message.Text").length, 0, "nothing was sent");
      await chat.call(id, "ixn/chat/disconnect");
    });
  }

  it("a named part beside a nameless file is read as usual (files are no parameters)", async () => {
    const body = `${part('form-data; filename="a.txt"', "file")}${part('form-data; name="_verbose"', "true")}--xyz--\r\n`;
    const reply = await call("POST", `${chat.service}/request-chat`, body, multipart);
    assert.equal(reply.status, 200, reply.text);
    assert.ok(reply.body["_chatIxnAPI-CREATE-URL"]);
  });
});

describe("expected refusals are not errors", () => {
  it("a 503 (no chat yet, no agent for an advanced service) logs nothing at warn or above, and no stack", async () => {
    const id = await chat.create();
    const advanced = await chat.create("request-chat-poll");
    const from = logs.length;
    assertGmsError(await chat.call(id, "ixn/chat/refresh"), 503, "ServiceUnavailableException");
    assertGmsError(await chat.call(advanced, "ixn/chat"), 503, "ServiceUnavailableException");
    const lines = logs.slice(from);
    assert.deepEqual(
      lines.filter((l) => l.level >= WARN).map((l) => l.msg),
      [],
    );
    assert.ok(!JSON.stringify(lines).includes("stack"), "no stack in the log");
    assert.ok(
      lines.some((l) => l.msg === "request refused"),
      "logged at debug",
    );
  });

  it("a genuine 500 (the database gone) is still logged at error, with its stack", async () => {
    const lines: LogLine[] = [];
    const broken = await startServer({ logs: { level: "info", lines } });
    const id = await chatApi(broken.url).create();
    await broken.app.store.close();
    try {
      const reply = await chatApi(broken.url).call(id, "ixn/chat/refresh");
      assertGmsError(reply, 500, "InternalServerErrorException");
      const error = lines.find((l) => l.level >= ERROR);
      assert.ok(error, "an error line");
      assert.match(JSON.stringify(error.err), /stack/);
      assert.doesNotMatch(reply.text, /stack|at .*\.ts:\d+/);
    } finally {
      await broken.close();
    }
  });
});

// ----- fuzzing the parameters' parsers -----

const shortText = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.constantFrom("", " ", "\u0000", "é", "🙂", "\ud800", "%", "%E2%82", "__proto__", "constructor", "gms_user_token", "transcriptPosition", "message"),
);
const disposition = fc.oneof(
  shortText.map((name) => `form-data; name="${name.replace(/"/g, "")}"`),
  shortText.map((name) => `form-data; name=${name}`),
  fc.constantFrom(
    "form-data",
    'form-data; name=""',
    "form-data; name*=utf-8''%E2%82%AC",
    "form-data; name*=nonsense",
    'form-data; name="unterminated',
    'form-data; name="a"; filename="f.txt"',
    'form-data; filename="f.txt"',
    "form-data; filename*=utf-8''%F0%9F",
    'attachment; name="a"',
    "form-data; ; ;",
    ";",
    "",
  ),
  shortText,
);
const partType = fc.option(
  fc.oneof(
    fc.constantFrom("text/plain", "application/octet-stream", "application/json", "text/plain; charset=utf-16le", "text/plain; charset=latin1"),
    fc.constantFrom("ebcdic", "", "utf-7", "x-user-defined", "utf8", "unicode-1-1-utf-8").map((charset) => `text/plain; charset=${charset}`),
    shortText,
  ),
  { nil: undefined },
);
const encoding = fc.option(fc.constantFrom("base64", "quoted-printable", "8bit", "binary", "nonsense"), { nil: undefined });
const value = fc.oneof(
  shortText,
  fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  fc.json({ maxDepth: 3 }),
);
const fuzzPart = fc.record({ disposition: fc.option(disposition, { nil: undefined }), type: partType, encoding, value });
/** Mostly `usual`, sometimes one of `odd`: a body must be well-formed enough to reach the deeper checks. */
const mostly = <T>(usual: T, odd: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: odd });

const multipartBody = fc
  .record({
    boundary: mostly("xyz", fc.constantFrom("----WebKitFormBoundary7MA4YWxkTrZu0gW", "a'b", "x".repeat(70), "x".repeat(71))),
    parts: fc.array(fuzzPart, { maxLength: 5 }),
    eol: mostly("\r\n", fc.constantFrom("\n", "\r")),
    closing: mostly(true, fc.constant(false)),
    cut: mostly<number | undefined>(undefined, fc.nat()),
    typeParams: mostly("", fc.constantFrom("; charset=utf-8", "; charset=nonsense", "; boundary=other")),
  })
  .map(({ boundary, parts, eol, closing, cut, typeParams }) => {
    const text = parts
      .map((p) => {
        const headers = [
          p.disposition === undefined ? null : `Content-Disposition: ${p.disposition}`,
          p.type === undefined ? null : `Content-Type: ${p.type}`,
          p.encoding === undefined ? null : `Content-Transfer-Encoding: ${p.encoding}`,
        ].filter((h) => h !== null);
        return `--${boundary}${eol}${headers.join(eol)}${eol}${eol}${p.value}${eol}`;
      })
      .join("");
    const whole = closing ? `${text}--${boundary}--${eol}` : text;
    return {
      type: `multipart/form-data; boundary=${boundary}${typeParams}`,
      body: cut === undefined ? whole : whole.slice(0, cut % (whole.length + 1)),
    };
  });

const formBody = fc.oneof(
  fc.array(fc.tuple(shortText, shortText), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs).toString()),
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ message: v, transcriptPosition: v, userDisplayName: v })),
  fc.constantFrom("{", '{"a":', '{"__proto__":{"x":1}}', '{"a":"\\ud800"}', "[1,2]", "a=%ZZ&b=%", "=&=&", "&&&", "a".repeat(300)),
  fc.string({ maxLength: 120 }),
);
const formRequest = fc.record({
  type: fc.constantFrom("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8", "text/plain", "application/json"),
  body: formBody,
});

const operation = fc.constantFrom("", "/status", "/ixn/chat", "/ixn/chat/refresh", "/ixn/chat/send", "/ixn/chat/startTyping", "/internal-poke");

describe("fuzzing the Chat API's parameters", () => {
  it(`answers ${RUNS} malformed multipart, form and JSON bodies without a 500 or an error log`, async () => {
    const ids = [await chat.create(), await chat.create("request-chat-poll")];
    await chat.call(present(ids[0], "a service"), "ixn/chat");
    const from = logs.length;
    const failures: string[] = [];
    await fc
      .assert(
        fc.asyncProperty(fc.oneof(multipartBody, formRequest), fc.nat(), operation, async ({ type, body }, pick, op) => {
          const target = op === "" ? "request-chat" : present(ids[pick % ids.length], "a service");
          const reply = await fetch(`${chat.service}/${target}${op}`, {
            method: "POST",
            headers: { "content-type": type, gms_user: "fuzzer" },
            body,
            signal: AbortSignal.timeout(10_000),
          }).catch((err: Error) => ({ status: 0, text: async () => err.message }));
          const text = await reply.text();
          // 503 is the Chat API's "not yet" (no agent, no chat); a 500 or a broken connection is a fault.
          const fine = reply.status !== 0 && (reply.status < 500 || reply.status === 503);
          if (!fine) failures.push(`${reply.status} ${op} ${type} ${JSON.stringify(body).slice(0, 300)}: ${text.slice(0, 200)}`);
          return fine;
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      )
      .catch((err: Error) => {
        throw new Error(`${err.message.split("\n")[0]}\nfailed requests: ${JSON.stringify(failures.slice(0, 5), null, 1)}`);
      });
    assert.deepEqual(
      logs
        .slice(from)
        .filter((l) => l.level >= ERROR)
        .map((l) => l.msg),
      [],
    );
  });
});

/**
 * The baseline: a bare node:http JSON server doing the least a JSON API can (parse the body,
 * answer a small JSON object), measured in the same run as parley so ratios hold on a noisy machine.
 */
import { createServer } from "node:http";

let next = 1;
const stored = JSON.stringify({
  service_id: 1,
  service_type: "MyService1",
  customer_id: "ABC1234",
  started: { timestamp: "2009-05-12T12:05:12.145Z", interaction_id: "123ABCAADFJ1259ACF", media_type: 1, resource_id: 5005 },
});

const server = createServer((req, res) => {
  if (req.method === "POST") {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      JSON.parse(body);
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ service_id: next++ }));
    });
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(stored);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (typeof address === "object" && address !== null) process.stdout.write(`{"url":"http://127.0.0.1:${address.port}"}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

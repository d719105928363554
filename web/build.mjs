// Builds the web pages (web/*) into dist/web: `npm run build` runs it after tsc, `npm test` before
// the tests. Each page's script and style get content-hashed names (served as immutable); the HTML
// pages and widget.js (whose address embedding sites write down) keep fixed names.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const web = dirname(fileURLToPath(import.meta.url));
const out = join(web, "..", "dist", "web");

/** Each page: its entry, its title, and the HTML file it is served from. */
const PAGES = [
  { entry: "widget/main.tsx", html: "index.html", title: "Chat with us" },
  { entry: "agent/main.tsx", html: "agent.html", title: "parley agent desktop" },
];

const common = {
  bundle: true,
  minify: true,
  sourcemap: "linked",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "linked",
  logLevel: "warning",
  absWorkingDir: web,
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });

const pages = await esbuild.build({
  ...common,
  entryPoints: PAGES.map((p) => join(web, p.entry)),
  outdir: join(out, "assets"),
  entryNames: "[dir]-[hash]",
  assetNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  splitting: true,
  format: "esm",
  metafile: true,
});

for (const page of PAGES) {
  const [script, output] = Object.entries(pages.metafile.outputs).find(([, o]) => o.entryPoint === page.entry) ?? [];
  if (script === undefined || output === undefined) throw new Error(`no output for ${page.entry}`);
  const style = output.cssBundle;
  writeFileSync(join(out, page.html), html(page.title, basename(script), style === undefined ? undefined : basename(style)));
}

// widget.js: the same widget for other sites, its style inlined (it lives in a shadow root there).
await esbuild.build({
  ...common,
  entryPoints: [join(web, "embed/widget.ts")],
  outfile: join(out, "widget.js"),
  format: "iife",
  loader: { ".css": "text" },
});

// Each text file also compressed, once, here: the server sends the variant a browser accepts.
for (const file of filesUnder(out)) {
  if (![".js", ".css", ".html"].includes(extname(file))) continue;
  const body = readFileSync(file);
  writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function html(title, script, style) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="parley-gms-app" content="genesys">
<link rel="icon" href="data:,">
<title>${title}</title>
${style === undefined ? "" : `<link rel="stylesheet" href="assets/${style}">\n`}<script type="module" src="assets/${script}"></script>
</head>
<body>
<noscript>This page needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

// Builds the web pages (web/*) into dist/web: `npm run build` runs it after tsc, `npm test` before
// the tests. Each page's script and style get content-hashed names (served as immutable); the HTML
// pages and widget.js (whose address embedding sites write down) keep fixed names.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
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

function html(title, script, style) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
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

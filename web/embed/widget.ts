/**
 * widget.js: the customer widget on another site, from
 * `<script src="https://parley.example.com/widget.js" data-service="request-chat"></script>`
 * (and `data-gms-app="..."` when parley's GMS_APP_NAME is not `genesys`).
 * It talks to the parley that served it (the script's own origin; that site must be in parley's
 * CORS_ORIGINS) and lives in a shadow root, so the host page's CSS neither breaks it nor is
 * touched by it.
 */
import { h, render } from "preact";
import { setApiBase, setGmsApp } from "../shared/http.ts";
import { Launcher } from "../widget/Launcher.tsx";
import { ChatStore } from "../widget/store.ts";
import css from "../widget/widget.css";

const script = document.currentScript as HTMLScriptElement | null;
// The APIs are beside the script: its origin when parley serves widget.js at its root, as it
// does, and its path too behind a proxy that mounts parley under one.
setApiBase(new URL(".", script?.src || location.href));
const service = script?.dataset.service || "request-chat";
// The host page has no meta naming GMS's application (GMS_APP_NAME): the script tag says it.
setGmsApp(script?.dataset.gmsApp || "genesys");

function mount(): void {
  const host = document.createElement("div");
  host.setAttribute("data-parley-widget", service);
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  try {
    // A constructed stylesheet: no <style> element, which a host's strict style-src may refuse.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = css;
    shadow.append(style);
  }
  const root = document.createElement("div");
  root.className = "pw-root";
  shadow.append(root);
  render(h(Launcher, { store: new ChatStore(service) }), root);
}

if (document.body === null) document.addEventListener("DOMContentLoaded", mount, { once: true });
else mount();

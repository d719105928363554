/** The widget as a page of its own (`/`, `?service=` picks the chat service, `request-chat` by default). */
import { render } from "preact";
import { ChatStore } from "./store.ts";
import { Widget } from "./Widget.tsx";
import "./widget.css";

const service = new URLSearchParams(location.search).get("service") || "request-chat";
const store = new ChatStore(service);

render(
  <main class="pw-page">
    <Widget store={store} focusStart />
  </main>,
  document.getElementById("app") as HTMLElement,
);

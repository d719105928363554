import { render } from "preact";
import { App } from "./app.tsx";
import { checkSession } from "./store.ts";
import "./styles.css";

render(<App />, document.getElementById("app") as HTMLElement);
void checkSession();

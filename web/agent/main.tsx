import { render } from "preact";

render(
  <main>
    <h1>parley</h1>
  </main>,
  document.getElementById("app") as HTMLElement,
);

import { render } from "preact";

render(
  <main>
    <h1>Chat with us</h1>
  </main>,
  document.getElementById("app") as HTMLElement,
);

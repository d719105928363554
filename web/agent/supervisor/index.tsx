/** The supervisor view inside /agent (ROLE_SUPERVISOR, ROLE_ADMIN): live queues, agents, and the admin's forms. */
import type { Comet } from "../../shared/cometd.ts";

export interface SupervisorViewProps {
  /** The logged-in user (their roles decide what the view offers: admins also create users and queues). */
  user: { id: string; userName: string; roles: string[] };
  /** The page's CometD connection to /api/v2/notifications. */
  comet: Comet;
}

export function SupervisorView(_props: SupervisorViewProps) {
  return (
    <section aria-labelledby="supervisor-queues">
      <h2 id="supervisor-queues">Queues</h2>
    </section>
  );
}

/**
 * Push notifications to customers' devices, behind one port (actions/context.ts PushPort):
 * `comet` delivers on `/_genesys` to the service's gms_user, `httpcb` POSTs JSON to the
 * configured URL (a gateway to APNs/FCM), `log` writes it to the log. A push that fails is
 * logged, never thrown: the chat goes on.
 *
 * HTTP callbacks go through a bounded queue of their own (queue.ts): `send` hands one over and
 * returns at once, so a slow gateway never holds the housekeeping sweep or an agent's request.
 * When too many wait, the push is dropped with a warning and `send` says so. Dropping is
 * acceptable: a push is a nudge, not the record. The sweep has already moved the chat's
 * pushedPosition past those messages (a crash after that commit loses the push the same way),
 * and the app reads every message from the transcript when it comes back to the foreground. A
 * line that long means the gateway is far behind, and a late nudge is worth little.
 */
import type { PushNotification, PushPort, PushTarget, Notifier } from "../actions/context.ts";
import { customerPush } from "../wire/chat-v1.ts";
import type { PushSettings } from "../config-file.ts";
import type { Logger } from "../logger.ts";
import { DeliveryQueue } from "./queue.ts";

/** How long an HTTP callback may take. */
const CALLBACK_TIMEOUT_MS = 5000;

export interface PushOptions {
  /** HTTP callbacks under way at once (PUSH_CONCURRENCY). */
  concurrency: number;
  /** HTTP callbacks waiting for a turn (PUSH_QUEUE_SIZE); past it a push is dropped. */
  queueSize: number;
}

/** The push port, and its queue's end (app.close). */
export interface PushService extends PushPort {
  /** Drops the pushes still waiting, aborts those under way, and resolves once they have settled. */
  close(): Promise<void>;
}

export function createPushPort(notifier: Notifier, logger: Logger, options: PushOptions): PushService {
  const queue = new DeliveryQueue({
    concurrency: options.concurrency,
    maxWaiting: options.queueSize,
    onError: (err) => logger.error({ err }, "push delivery failed"),
  });
  // One warning per spell of drops, not one per push: a stuck gateway must not flood the log.
  let dropped = 0;
  const refused = (serviceId: string): false => {
    if (dropped++ === 0) logger.warn({ serviceId, waiting: options.queueSize }, "push notifications dropped: PUSH_QUEUE_SIZE callbacks already wait");
    return false;
  };
  const accepted = (): true => {
    if (dropped > 0) logger.info({ dropped }, "push notifications taken again after a queue-full spell");
    dropped = 0;
    return true;
  };
  return {
    canReach(settings: PushSettings, target: PushTarget): boolean {
      return settings.provider === "comet" ? target.gmsUser !== null : target.device !== null;
    },
    send(settings: PushSettings, target: PushTarget, notification: PushNotification): boolean {
      const payload = {
        _id: target.serviceId,
        _action: notification.action,
        serviceId: target.serviceId,
        message: notification.message,
        ...(notification.lastTranscript === undefined ? {} : { lastTranscript: notification.lastTranscript }),
      };
      if (settings.provider === "comet") {
        if (target.gmsUser !== null) notifier.deliver("customer", target.gmsUser, "/_genesys", customerPush(`service.push.${target.serviceId}`, payload));
        return true;
      }
      const device = target.device === null ? null : { notificationId: target.device.notificationId, os: target.device.os };
      if (settings.provider === "log") {
        logger.info({ push: payload, device }, "push notification");
        return true;
      }
      const body = JSON.stringify({ device, gmsUser: target.gmsUser, notification: payload });
      const url = settings.url;
      // config-file.ts requires a url with httpcb.
      if (url === null) return true;
      const taken = queue.offer((signal) => callBack(url, body, target.serviceId, signal, logger));
      return taken ? accepted() : refused(target.serviceId);
    },
    close: () => queue.close(),
  };
}

/** POSTs one notification to the gateway; logs what goes wrong. */
async function callBack(url: string, body: string, serviceId: string, closing: AbortSignal, logger: Logger): Promise<void> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.any([closing, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
    });
    await response.body?.cancel();
    if (!response.ok) logger.warn({ status: response.status, serviceId }, "push callback refused the notification");
  } catch (err) {
    // Cut short by the shutdown: not the gateway's fault.
    if (closing.aborted) logger.debug({ serviceId }, "push callback abandoned at shutdown");
    else logger.warn({ err: (err as Error).message, serviceId }, "push callback failed");
  }
}

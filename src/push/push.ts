/**
 * Push notifications to customers' devices, behind one port (actions/context.ts PushPort):
 * `comet` delivers on `/_genesys` to the service's gms_user, `httpcb` POSTs JSON to the
 * configured URL (a gateway to APNs/FCM), `log` writes it to the log. A push that fails is
 * logged, never thrown: the chat goes on.
 */
import type { PushNotification, PushPort, PushTarget, Notifier } from "../actions/context.ts";
import { customerPush } from "../actions/chat-messages.ts";
import type { PushSettings } from "../config-file.ts";
import type { Logger } from "../logger.ts";

/** How long an HTTP callback may take. */
const CALLBACK_TIMEOUT_MS = 5000;

export function createPushPort(notifier: Notifier, logger: Logger): PushPort {
  return {
    canReach(settings: PushSettings, target: PushTarget): boolean {
      return settings.provider === "comet" ? target.gmsUser !== null : target.device !== null;
    },
    async send(settings: PushSettings, target: PushTarget, notification: PushNotification): Promise<void> {
      const payload = {
        _id: target.serviceId,
        _action: notification.action,
        serviceId: target.serviceId,
        message: notification.message,
        ...(notification.lastTranscript === undefined ? {} : { lastTranscript: notification.lastTranscript }),
      };
      if (settings.provider === "comet") {
        if (target.gmsUser !== null) notifier.deliver("customer", target.gmsUser, "/_genesys", customerPush(`service.push.${target.serviceId}`, payload));
        return;
      }
      const device = target.device === null ? null : { notificationId: target.device.notificationId, os: target.device.os };
      if (settings.provider === "log") {
        logger.info({ push: payload, device }, "push notification");
        return;
      }
      try {
        const response = await fetch(settings.url!, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ device, gmsUser: target.gmsUser, notification: payload }),
          signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (!response.ok) logger.warn({ status: response.status, serviceId: target.serviceId }, "push callback refused the notification");
      } catch (err) {
        logger.warn({ err: (err as Error).message, serviceId: target.serviceId }, "push callback failed");
      }
    },
  };
}

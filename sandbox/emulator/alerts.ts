/**
 * Twilio's Monitor Alerts (`GET /v1/Alerts`): the debugger entries an operator
 * sees, such as 11200 when Twilio could not reach the webhook. The emulator
 * holds the ones a test adds.
 */
import { randomBytes } from "node:crypto";

export type EmulatedAlert = {
  sid: string;
  accountSid: string;
  errorCode: number;
  requestUrl: string;
  alertText: string;
  dateCreated: Date;
};

export type AlertOptions = { errorCode?: number; requestUrl: string; alertText?: string; accountSid?: string; dateCreated?: Date };

export function createAlert(accountSid: string, options: AlertOptions): EmulatedAlert {
  return {
    sid: `NO${randomBytes(16).toString("hex")}`,
    accountSid,
    errorCode: options.errorCode ?? 11200,
    requestUrl: options.requestUrl,
    alertText: options.alertText ?? `Msg=HTTP retrieval failure&sourceComponent=14100&url=${encodeURIComponent(options.requestUrl)}`,
    dateCreated: options.dateCreated ?? new Date(),
  };
}

export function alertsPage(alerts: readonly EmulatedAlert[], accountSid: string): Record<string, unknown> {
  const mine = alerts.filter((alert) => alert.accountSid === accountSid);
  return {
    alerts: mine.map((alert) => ({
      account_sid: alert.accountSid,
      alert_text: alert.alertText,
      api_version: "2010-04-01",
      date_created: alert.dateCreated.toISOString(),
      date_generated: alert.dateCreated.toISOString(),
      date_updated: alert.dateCreated.toISOString(),
      error_code: String(alert.errorCode),
      log_level: "error",
      more_info: `https://www.twilio.com/docs/errors/${alert.errorCode}`,
      request_method: "POST",
      request_url: alert.requestUrl,
      resource_sid: "",
      service_sid: null,
      sid: alert.sid,
      url: `https://monitor.twilio.com/v1/Alerts/${alert.sid}`,
    })),
    meta: { first_page_url: "/v1/Alerts?PageSize=50&Page=0", key: "alerts", next_page_url: null, page: 0, page_size: 50, previous_page_url: null, url: "/v1/Alerts?PageSize=50&Page=0" },
  };
}

import type { AccountState, IncomingNumber } from "./accounts.ts";
import { API_VERSION, rfc2822, singlePage } from "./message-resource.ts";

function numberResource(accountSid: string, number: IncomingNumber): Record<string, unknown> {
  const uri = `/${API_VERSION}/Accounts/${accountSid}/IncomingPhoneNumbers/${number.sid}.json`;
  return {
    account_sid: accountSid,
    address_requirements: "none",
    api_version: API_VERSION,
    beta: false,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    date_created: rfc2822(number.dateCreated),
    date_updated: rfc2822(number.dateCreated),
    friendly_name: number.phoneNumber,
    origin: "twilio",
    phone_number: number.phoneNumber,
    sid: number.sid,
    sms_application_sid: "",
    sms_fallback_method: "POST",
    sms_fallback_url: "",
    sms_method: number.smsMethod,
    sms_url: number.smsUrl,
    status: "in-use",
    status_callback: "",
    status_callback_method: "POST",
    uri,
  };
}

/** One page holding every match: accounts in tests own a handful of numbers, so paging is never needed. */
export function incomingNumbersPage(account: AccountState, phoneNumber: string | undefined): Record<string, unknown> {
  const matches = [...account.numbers.values()].filter((n) => phoneNumber === undefined || n.phoneNumber === phoneNumber);
  const query = new URLSearchParams(phoneNumber === undefined ? {} : { PhoneNumber: phoneNumber });
  query.set("PageSize", "50");
  query.set("Page", "0");
  const uri = `/${API_VERSION}/Accounts/${account.sid}/IncomingPhoneNumbers.json?${query}`;
  return singlePage(uri, "incoming_phone_numbers", matches.map((n) => numberResource(account.sid, n)));
}

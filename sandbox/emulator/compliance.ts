/**
 * Messaging v1 compliance resources, shaped like Twilio's (messaging.twilio.com):
 * Services and their PhoneNumbers, a service's US A2P 10DLC campaign
 * (Services/{MG}/Compliance/Usa2p) and Toll-Free Verifications. Lists use
 * Messaging v1's `meta` paging envelope, all on one page.
 */
import { newSid } from "./sids.ts";

export type CampaignStatus = "VERIFIED" | "PENDING" | "IN_PROGRESS" | "FAILED";
export type TollfreeStatus = "PENDING_REVIEW" | "IN_REVIEW" | "TWILIO_APPROVED" | "TWILIO_REJECTED";

export interface EmulatedMessagingService {
  sid: string;
  phoneNumbers: string[];
  /** The service's A2P 10DLC campaign; omitted: the service has none. */
  campaignStatus?: CampaignStatus;
}

export interface EmulatedTollfreeVerification {
  phoneNumber: string;
  status: TollfreeStatus;
  rejectionReason?: string;
}

const BASE = "https://messaging.twilio.com/v1";
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

function page(key: string, path: string, items: unknown[], query = ""): Record<string, unknown> {
  const url = `${BASE}${path}?PageSize=50&Page=0${query}`;
  return { [key]: items, meta: { page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key } };
}

export function servicesPage(accountSid: string, services: readonly EmulatedMessagingService[], now: Date): Record<string, unknown> {
  return page(
    "services",
    "/Services",
    services.map((service) => ({
      account_sid: accountSid,
      sid: service.sid,
      friendly_name: `Service ${service.sid.slice(-4)}`,
      date_created: iso(now),
      date_updated: iso(now),
      inbound_request_url: null,
      inbound_method: "POST",
      use_inbound_webhook_on_number: true,
      us_app_to_person_registered: service.campaignStatus !== undefined,
      usecase: "undeclared",
      url: `${BASE}/Services/${service.sid}`,
      links: {
        phone_numbers: `${BASE}/Services/${service.sid}/PhoneNumbers`,
        us_app_to_person: `${BASE}/Services/${service.sid}/Compliance/Usa2p`,
      },
    })),
  );
}

export function servicePhoneNumbersPage(
  accountSid: string,
  service: EmulatedMessagingService,
  pnSid: (phoneNumber: string) => string,
  now: Date,
): Record<string, unknown> {
  return page(
    "phone_numbers",
    `/Services/${service.sid}/PhoneNumbers`,
    service.phoneNumbers.map((phoneNumber) => ({
      sid: pnSid(phoneNumber),
      account_sid: accountSid,
      service_sid: service.sid,
      date_created: iso(now),
      date_updated: iso(now),
      phone_number: phoneNumber,
      country_code: "US",
      capabilities: ["SMS", "MMS"],
      url: `${BASE}/Services/${service.sid}/PhoneNumbers/${pnSid(phoneNumber)}`,
    })),
  );
}

export function usa2pPage(accountSid: string, service: EmulatedMessagingService, campaignSid: string, now: Date): Record<string, unknown> {
  const items =
    service.campaignStatus === undefined
      ? []
      : [
          {
            sid: campaignSid,
            account_sid: accountSid,
            brand_registration_sid: `BN${campaignSid.slice(2)}`,
            messaging_service_sid: service.sid,
            description: "Customer care replies from an AI assistant",
            message_samples: ["Your appointment is confirmed for 3pm.", "Reply STOP to opt out."],
            us_app_to_person_usecase: "CUSTOMER_CARE",
            has_embedded_links: false,
            has_embedded_phone: false,
            campaign_status: service.campaignStatus,
            campaign_id: service.campaignStatus === "VERIFIED" ? "CEMULATED" : null,
            is_externally_registered: false,
            rate_limits: {},
            message_flow: "Customers text the business number first.",
            opt_in_message: null,
            opt_out_message: null,
            help_message: null,
            opt_in_keywords: null,
            opt_out_keywords: null,
            help_keywords: null,
            date_created: iso(now),
            date_updated: iso(now),
            url: `${BASE}/Services/${service.sid}/Compliance/Usa2p/${campaignSid}`,
            mock: false,
            errors: service.campaignStatus === "FAILED" ? [{ code: 30896, fields: ["message_samples"], description: "Sample messages do not match the use case" }] : [],
          },
        ];
  return page("compliance", `/Services/${service.sid}/Compliance/Usa2p`, items);
}

export function tollfreeVerificationsPage(
  accountSid: string,
  verifications: readonly (EmulatedTollfreeVerification & { pnSid: string; sid: string })[],
  now: Date,
): Record<string, unknown> {
  return page(
    "verifications",
    "/Tollfree/Verifications",
    verifications.map((verification) => ({
      sid: verification.sid,
      account_sid: accountSid,
      customer_profile_sid: null,
      trust_product_sid: `BU${verification.sid.slice(2)}`,
      date_created: iso(now),
      date_updated: iso(now),
      regulated_item_sid: null,
      business_name: "Emulated Business",
      notification_email: "ops@example.com",
      use_case_categories: ["CUSTOMER_CARE"],
      use_case_summary: "Replies from an AI assistant",
      production_message_sample: "Your appointment is confirmed.",
      opt_in_type: "VERBAL",
      message_volume: "1,000",
      tollfree_phone_number_sid: verification.pnSid,
      status: verification.status,
      rejection_reason: verification.status === "TWILIO_REJECTED" ? (verification.rejectionReason ?? "Opt-in process is not clear") : null,
      error_code: verification.status === "TWILIO_REJECTED" ? 30509 : null,
      url: `${BASE}/Tollfree/Verifications/${verification.sid}`,
      resource_links: {},
    })),
  );
}

export const newCampaignSid = () => newSid("QE");
export const newVerificationSid = () => newSid("HH");

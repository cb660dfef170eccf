/**
 * Will US carriers deliver this sender's texts? Since 2023 they block texts
 * from unregistered 10DLC numbers (error 30034), from 10DLC numbers whose
 * campaign is still pending (30035) and from unverified toll-free numbers
 * (30032). This is the most common reason a working setup "sends" but nobody
 * receives anything, so the probe says it with the fix. Pure.
 */
import type { ProbeFinding } from "./probe.ts";
import type { SenderRegistration } from "../twilio/client.ts";

const A2P_HOME = "Twilio Console → Messaging → Regulatory compliance → A2P 10DLC";
const TOLL_FREE_HOME = "Twilio Console → Messaging → Regulatory compliance → Toll-free verifications";

export function evaluateRegistration(sender: string, registration: SenderRegistration): ProbeFinding {
  const check = "deliverability" as const;
  switch (registration.kind) {
    case "not-checked":
      return { check, ok: true, detail: `${sender} is not a US +1 number; US carrier registration does not apply` };
    case "toll-free":
      switch (registration.status) {
        case "TWILIO_APPROVED":
          return { check, ok: true, detail: `${sender} is a verified toll-free number` };
        case "PENDING_REVIEW":
        case "IN_REVIEW":
          return {
            check,
            ok: false,
            detail: `${sender}'s toll-free verification is ${registration.status === "IN_REVIEW" ? "in review" : "waiting for review"}; US carriers block its texts until it is approved (error 30032)`,
            fix: `wait for approval (${TOLL_FREE_HOME}), or send from a verified number meanwhile`,
          };
        case "TWILIO_REJECTED":
          return {
            check,
            ok: false,
            detail: `${sender}'s toll-free verification was rejected${registration.rejectionReason ? ` (${registration.rejectionReason})` : ""}; US carriers block its texts (error 30032)`,
            fix: `correct and resubmit the verification in ${TOLL_FREE_HOME}`,
          };
        default:
          return {
            check,
            ok: false,
            detail: `${sender} is a toll-free number with no toll-free verification; US carriers block its texts (error 30032)`,
            fix: `submit a toll-free verification for it in ${TOLL_FREE_HOME}`,
          };
      }
    case "a2p-10dlc": {
      const service = registration.messagingServiceSid;
      if (!service) {
        return {
          check,
          ok: false,
          detail: `${sender} is not in any Messaging Service, so it has no A2P 10DLC campaign; US carriers block texts from unregistered 10DLC numbers (error 30034)`,
          fix: `register a brand and campaign in ${A2P_HOME}, and add ${sender} to the campaign's Messaging Service`,
        };
      }
      switch (registration.campaignStatus?.toUpperCase()) {
        case "VERIFIED":
          return { check, ok: true, detail: `${sender} sends under a verified A2P 10DLC campaign (${service})` };
        case "PENDING":
        case "IN_PROGRESS":
          return {
            check,
            ok: false,
            detail: `the A2P 10DLC campaign of ${service} is still pending; US carriers block ${sender}'s texts until it is verified (error 30035)`,
            fix: `wait for campaign approval in ${A2P_HOME} (it can take days)`,
          };
        case "FAILED":
          return {
            check,
            ok: false,
            detail: `the A2P 10DLC campaign of ${service} failed registration; US carriers block ${sender}'s texts (error 30034)`,
            fix: `fix and resubmit the campaign in ${A2P_HOME}`,
          };
        case undefined:
          return {
            check,
            ok: false,
            detail: `Messaging Service ${service} has no A2P 10DLC campaign; US carriers block texts from unregistered 10DLC numbers (error 30034)`,
            fix: `register a campaign for ${service} in ${A2P_HOME}`,
          };
        default:
          return {
            check,
            ok: false,
            detail: `the A2P 10DLC campaign of ${service} is "${registration.campaignStatus}", not verified; US carriers may block ${sender}'s texts`,
            fix: `check the campaign in ${A2P_HOME}`,
          };
      }
    }
  }
}

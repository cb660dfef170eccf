/**
 * Entry the gateway's secrets runtime loads by file name (`dist/secret-contract-api.js`)
 * to learn which twilio-sms config fields are secrets. Kept tiny: no network, no state.
 */
export { collectRuntimeConfigAssignments, secretTargetRegistryEntries } from "./config/secret-contract.ts";

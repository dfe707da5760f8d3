// The field types every key's schema is built from. Each custom error text is the fix a refusal names.
import { z } from "zod";
import { DURATION, DURATION_FIX, SEMVER, SERVICE_NAMES, VERSION_FIX } from "../../contract/release";

export const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/;
const serviceList = SERVICE_NAMES.join(", ");

export const version = z.string({ error: VERSION_FIX }).regex(SEMVER, { error: VERSION_FIX });
export const int = (min: number, max: number, fix: string) =>
  z.number({ error: fix }).int({ error: fix }).min(min, { error: fix }).max(max, { error: fix });
export const bool = z.boolean({ error: "set true or false" });
export const serviceName = z.enum(SERVICE_NAMES, { error: `use one of ${serviceList}` });
export const duration = z.string({ error: DURATION_FIX }).regex(DURATION, { error: DURATION_FIX });
export const url = z.string({ error: "set an http(s) URL" }).regex(/^https?:\/\/\S+$/, { error: "set an http(s) URL" });
export const quantity = (fix: string) => z.string({ error: fix }).regex(QUANTITY, { error: fix });

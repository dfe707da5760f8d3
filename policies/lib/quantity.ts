// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): a decimal number with either an exponent
// ("1e9") or one suffix, binary ("Ki" .. "Ei") or decimal ("n", "u", "m", "", "k", "M", "G", "T", "P", "E").
// CPU is returned in cores ("500m" -> 0.5), memory in bytes ("1Gi" -> 1073741824).

// Sub-unit suffixes divide, so "500m" is exactly 0.5 and compares equal to "0.5".
const DIVISOR: Record<string, number> = { n: 1e9, u: 1e6, m: 1e3 };

const SUFFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

// The exponent alternative comes first so "1E3" is 1000 while a bare "1E" is one exa.
const QUANTITY = /^(\+?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** Parses a non-negative quantity; `undefined` when the value is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== "string") {
    return undefined;
  }
  const match = QUANTITY.exec(value.trim());
  if (match === null) {
    return undefined;
  }
  const [, digits, exponent, suffix] = match;
  const base = Number(digits);
  if (exponent !== undefined) {
    const e = Number(exponent);
    return e < 0 ? base / 10 ** -e : base * 10 ** e;
  }
  const unit = suffix ?? "";
  return unit in DIVISOR ? base / DIVISOR[unit] : base * SUFFIX[unit];
}

/** CPU in cores: "500m" -> 0.5, "2" -> 2, 0.5 -> 0.5. */
export const parseCpu = parseQuantity;

/** Memory in bytes: "1Gi" -> 1073741824, "512Mi" -> 536870912, "1G" -> 1e9, "1e9" -> 1e9. */
export const parseMemory = parseQuantity;

/** A CPU amount for messages: whole cores as "2", fractions in millicores as "250m". */
export function formatCpu(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** A memory amount for messages in the largest binary unit that divides it, else in bytes. */
export function formatMemory(bytes: number): string {
  for (const unit of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
    const size = SUFFIX[unit];
    if (bytes >= size && Number.isInteger(bytes / size)) {
      return `${bytes / size}${unit}`;
    }
  }
  return String(bytes);
}

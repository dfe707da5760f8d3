// Subnet layout of the VPC: large private-app subnets (VPC CNI gives every pod an address), small public and
// private-data subnets. Pure integer math on IPv4 CIDRs.

export interface SubnetLayout {
  /** CIDR per zone of the public subnets (load balancers, NAT). */
  public: string[];
  /** CIDR per zone of the private application subnets (nodes, pods). */
  app: string[];
  /** CIDR per zone of the isolated data subnets (no route to the internet). */
  data: string[];
}

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

export function parseCidr(cidr: string): { base: number; prefix: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (m === null || Number(m[2]) > 32 || m[1].split(".").some((o) => Number(o) > 255)) {
    throw new RangeError(`${cidr} is not an IPv4 CIDR`);
  }
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  const base = toInt(m[1]);
  if (base % size !== 0) throw new RangeError(`${cidr} has host bits set`);
  return { base, prefix };
}

function block(base: number, prefix: number, index: number): string {
  return `${toIp(base + index * 2 ** (32 - prefix))}/${prefix}`;
}

/**
 * Splits `cidr` for `zones` availability zones (at most 4): app subnets are /+3 blocks in the lower half, public
 * and data subnets /+6 blocks in the upper half, so a /16 yields /19 app and /22 public and data subnets.
 */
export function subnetLayout(cidr: string, zones: number): SubnetLayout {
  const { base, prefix } = parseCidr(cidr);
  if (zones < 1 || zones > 4) throw new RangeError(`${zones} availability zones; use 1 to 4`);
  if (prefix > 22) throw new RangeError(`${cidr} is too small; use a /22 or larger`);
  const small = prefix + 6;
  // Four app blocks fill the lower half; the upper half starts at small block 32.
  const firstSmall = 32;
  const zonesIdx = Array.from({ length: zones }, (_, i) => i);
  return {
    app: zonesIdx.map((i) => block(base, prefix + 3, i)),
    public: zonesIdx.map((i) => block(base, small, firstSmall + i)),
    data: zonesIdx.map((i) => block(base, small, firstSmall + 8 + i)),
  };
}

import { describe, expect, it } from "vitest";
import { clientIp } from "../../lib/http/client-ip";

describe("client address", () => {
  it("takes the hop the trusted proxy added, not what the client wrote before it", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.2" }))).toBe("198.51.100.2");
    expect(clientIp(new Headers())).toBeNull();
  });
});

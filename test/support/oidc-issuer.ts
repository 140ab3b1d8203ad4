// A real OpenID Connect issuer for the SSO journey (the oidc-provider package), with its dev login form:
// any login name signs in, and the email claim is `<login>@sso.example.org`, verified.
import http from "node:http";
import Provider from "oidc-provider";

export async function startOidcIssuer(port: number) {
  const issuer = `http://127.0.0.1:${port}`;
  const client = { client_id: "hounsfield", client_secret: "test-client-secret", redirect_uris: [] as string[], grant_types: ["authorization_code"], response_types: ["code"] };
  let provider: InstanceType<typeof Provider> | null = null;
  const make = () =>
    new Provider(issuer, {
      clients: [client],
      pkce: { required: () => true },
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
      findAccount: async (_ctx: unknown, sub: string) => ({
        accountId: sub,
        claims: async () => ({ sub, email: `${sub}@sso.example.org`, email_verified: true, name: `SSO ${sub}` }),
      }),
      cookies: { keys: ["test-cookie-key"] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    });
  const server = http.createServer((req, res) => (provider ? provider.callback()(req, res) : res.writeHead(503).end()));
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    issuer,
    /** The client's redirect URI is known once the app has its port. */
    allowRedirect(uri: string) {
      client.redirect_uris = [uri];
      provider = make();
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

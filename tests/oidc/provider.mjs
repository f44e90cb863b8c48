// A real OpenID Connect provider (the npm package oidc-provider) on loopback, for the single
// sign-on tests. Usage: node provider.mjs CONFIG.json
// CONFIG: {"clients": [{client_id, client_secret, redirect_uris}], "accounts": {"<sub>": {claims}}}
// Prints one JSON line {"issuer": "http://127.0.0.1:<port>"} once it listens; stops on SIGTERM.
// Its sign-in page is a bare form (login = the account's sub, any password) with nothing fetched
// from outside; consent is given at once, as for a first-party client.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map((c) => ({
      response_types: ['code'], grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic', ...c,
    })),
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      organization: ['org_code'],
    },
    scopes: ['openid', 'email', 'profile', 'organization'],
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['loopback-test-only'] },
    async findAccount(ctx, sub) {
      if (!accounts[sub]) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
      await grant.save();
      return grant;
    },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    if (ctx.path === '/favicon.ico') { ctx.status = 204; return undefined; } // a browser asks for one
    const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
    if (!match) return next();
    await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Loopback IdP</title></head>
<body><h1>Loopback IdP</h1><form method="post" action="/interaction/${match[1]}">
<label>Login <input id="login" name="login" required></label>
<label>Password <input id="password" type="password" name="password" required></label>
<button id="idp-submit" type="submit">Sign in</button></form></body></html>`;
      return undefined;
    }
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const body = new URLSearchParams(Buffer.concat(chunks).toString());
    const sub = body.get('login') || '';
    const result = accounts[sub]
      ? { login: { accountId: sub } }
      : { error: 'access_denied', error_description: 'unknown test account' };
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
    return undefined;
  });

  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => process.exit(0)); // at once: browsers' keep-alive connections would hold close() open

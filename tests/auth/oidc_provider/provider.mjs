// A real, local OpenID Connect provider for the test suite (panva/oidc-provider,
// OpenID-certified), listening on plain http on 127.0.0.1. It is started by
// tests/auth/oidc.py (LocalOidcProvider); it can also be run by hand:
//
//   OIDC_PORT=0 OIDC_CLIENTS='[...]' OIDC_ACCOUNTS='[...]' node tests/auth/oidc_provider/provider.mjs
//
// Environment (JSON where noted):
//   OIDC_PORT      port to listen on, 0 (default) = any free port. Issuer: http://127.0.0.1:<port>
//   OIDC_CLIENTS   JSON list of clients: {client_id, client_secret, redirect_uris, ...}. Any other
//                  oidc-provider client metadata is passed through (e.g. token_endpoint_auth_method:
//                  "client_secret_post", post_logout_redirect_uris, userinfo_signed_response_alg).
//                  Default token_endpoint_auth_method: client_secret_basic.
//   OIDC_ACCOUNTS  JSON list of accounts: {sub, email, email_verified, given_name, usual_name, ...}.
//                  Extra string/number/boolean keys (e.g. "siret", "uid") become claims, each
//                  requestable by a scope of the same name (as ProConnect does).
//   OIDC_CONFORM_ID_TOKEN_CLAIMS  "1" = only put scope claims in the userinfo response, not in the
//                  ID token (oidc-provider's default, "conform" mode). Default here: "0", i.e. the
//                  ID token carries the claims of the granted scopes.
//   OIDC_DEBUG     "1" = log authorization/grant errors to stderr.
//   OIDC_EXIT_ON_STDIN_CLOSE  "1" = exit when stdin is closed (set by tests/auth/oidc.py so that
//                  the provider never outlives the test process).
//
// Scopes and claims: openid -> sub; email -> email, email_verified;
// profile -> name, given_name, usual_name; and ProConnect-style one-claim scopes
// given_name -> given_name, usual_name -> usual_name (plus one per extra account key).
// "name" is given_name + " " + usual_name. The ID token carries acr "eidas1".
//
// Interaction (no browser needed): the authorization endpoint redirects to
// GET /interaction/<uid>, an HTML page with <form name="login" method="post"
// action="/interaction/<uid>/login"> and a single text field "login" (an account's sub or email,
// case-insensitive for email), and <form name="abort" ... action="/interaction/<uid>/abort">
// (user cancels: the relying party gets error=access_denied). Consent is automatic: the consent
// prompt is granted (every requested scope/claim) on GET without any page.
//
// When listening, prints exactly one line "READY <issuer>" to stdout. Everything else goes to
// stderr. Exits on SIGTERM/SIGINT (or stdin closed, see OIDC_EXIT_ON_STDIN_CLOSE).

import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

// oidc-provider prints NOTICEs with console.info (stdout): keep stdout for the READY line only.
console.log = console.error;
console.info = console.error;

function fail(message) {
  console.error(`oidc test provider: ${message}`);
  process.exit(2);
}

function jsonEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    return JSON.parse(raw);
  } catch (err) {
    return fail(`${name} is not valid JSON: ${err.message}`);
  }
}

const port = Number.parseInt(process.env.OIDC_PORT ?? '0', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid OIDC_PORT ${process.env.OIDC_PORT}`);
const debug = process.env.OIDC_DEBUG === '1';
const conformIdTokenClaims = process.env.OIDC_CONFORM_ID_TOKEN_CLAIMS === '1';

const rawClients = jsonEnv('OIDC_CLIENTS', []);
const rawAccounts = jsonEnv('OIDC_ACCOUNTS', []);
if (!Array.isArray(rawClients)) fail('OIDC_CLIENTS must be a JSON list');
if (!Array.isArray(rawAccounts)) fail('OIDC_ACCOUNTS must be a JSON list');

const clients = rawClients.map((client) => {
  if (!client || typeof client.client_id !== 'string') fail(`client without client_id: ${JSON.stringify(client)}`);
  return {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
    ...client,
  };
});

const STANDARD_ACCOUNT_KEYS = new Set(['sub', 'email', 'email_verified', 'given_name', 'usual_name', 'name']);
const extraClaimNames = new Set();
const accounts = rawAccounts.map((account) => {
  if (!account || typeof account.sub !== 'string' || account.sub === '') {
    fail(`account without a string sub: ${JSON.stringify(account)}`);
  }
  for (const [key, value] of Object.entries(account)) {
    if (!STANDARD_ACCOUNT_KEYS.has(key) && value !== null && typeof value !== 'object') {
      extraClaimNames.add(key);
    }
  }
  return account;
});

function findAccountByLogin(login) {
  const wanted = String(login ?? '').trim();
  if (!wanted) return undefined;
  return accounts.find((a) => a.sub === wanted)
    ?? accounts.find((a) => typeof a.email === 'string' && a.email.toLowerCase() === wanted.toLowerCase());
}

function accountClaims(account) {
  const claims = { sub: account.sub };
  for (const [key, value] of Object.entries(account)) {
    if (value !== undefined && value !== null) claims[key] = value;
  }
  if (claims.name === undefined) {
    const name = [account.given_name, account.usual_name].filter(Boolean).join(' ');
    if (name) claims.name = name;
  }
  return claims;
}

const claimsConfig = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'usual_name'],
  // ProConnect asks for each claim with a scope of the same name.
  given_name: ['given_name'],
  usual_name: ['usual_name'],
};
for (const name of extraClaimNames) {
  if (!(name in claimsConfig)) claimsConfig[name] = [name];
}

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: {
    keys: [crypto.randomBytes(32).toString('base64url')],
    // Plain http on loopback: oidc-provider only marks cookies Secure when the request is
    // secure (it is not here), and SameSite=Lax is kept as in production.
  },
  claims: claimsConfig,
  scopes: ['openid'],
  acrValues: ['eidas1'],
  conformIdTokenClaims,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    // Leave the revocation/introspection defaults; nothing else is needed.
  },
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  async findAccount(_ctx, sub) {
    const account = accounts.find((a) => a.sub === sub);
    if (!account) return undefined;
    return {
      accountId: account.sub,
      async claims() {
        return accountClaims(account);
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    const items = Object.entries(out)
      .map(([k, v]) => `<li><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</li>`)
      .join('');
    ctx.body = `<!DOCTYPE html><html><head><title>oidc error</title></head><body>`
      + `<h1>oidc error</h1><ul id="error">${items}</ul></body></html>`;
  },
});

provider.on('server_error', (_ctx, err) => console.error('oidc server_error:', err));
if (debug) {
  for (const event of ['authorization.error', 'grant.error', 'userinfo.error', 'end_session.error']) {
    provider.on(event, (_ctx, err) => console.error(`oidc ${event}:`, err.name, err.message, err.error_description ?? ''));
  }
}

function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

function loginPage(uid, clientId, error) {
  const message = error ? `<p class="error" id="error">${escapeHtml(error)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in</title></head>
<body>
<h1>Sign-in</h1>
<p>Client: <code>${escapeHtml(clientId)}</code></p>
${message}
<form name="login" method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label>Login (sub or email) <input type="text" name="login" required autofocus></label>
  <button type="submit">Sign-in</button>
</form>
<form name="abort" method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit">Cancel</button>
</form>
</body></html>`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function autoConsent(req, res, details) {
  const { prompt: { details: missing }, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const result = { consent: { grantId: await grant.save() } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

async function handleInteraction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, '<!DOCTYPE html><p id="error">interaction mismatch</p>');
    return;
  }
  const promptName = details.prompt.name;

  if (action === undefined && req.method === 'GET') {
    if (promptName === 'login') {
      send(res, 200, loginPage(uid, details.params.client_id));
    } else if (promptName === 'consent') {
      await autoConsent(req, res, details);
    } else {
      send(res, 501, `<!DOCTYPE html><p id="error">prompt ${escapeHtml(promptName)} not implemented</p>`);
    }
    return;
  }

  if (action === 'login' && req.method === 'POST' && promptName === 'login') {
    const form = await readForm(req);
    const account = findAccountByLogin(form.get('login'));
    if (!account) {
      send(res, 400, loginPage(uid, details.params.client_id, `unknown account: ${form.get('login') ?? ''}`));
      return;
    }
    const result = { login: { accountId: account.sub, acr: 'eidas1', amr: ['pwd'] } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }

  if (action === 'abort' && req.method === 'POST') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }

  send(res, 405, '<!DOCTYPE html><p id="error">unexpected interaction request</p>');
}

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?\/?$/;
const providerCallback = provider.callback();

server.on('request', (req, res) => {
  const { pathname } = new URL(req.url, issuer);
  const match = INTERACTION_PATH.exec(pathname);
  if (!match) {
    providerCallback(req, res);
    return;
  }
  handleInteraction(req, res, match[1], match[2]).catch((err) => {
    // SessionNotFound etc.: the interaction cookie is missing or expired.
    console.error('oidc interaction error:', err.name, err.message);
    if (!res.headersSent) {
      send(res, err.statusCode ?? 500, `<!DOCTYPE html><p id="error">${escapeHtml(err.name)}: ${escapeHtml(err.message)}</p>`);
    } else {
      res.end();
    }
  });
});

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.OIDC_EXIT_ON_STDIN_CLOSE === '1') {
  // The parent keeps our stdin open; when it goes away (even killed), stdin ends and we exit.
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

process.stdout.write(`READY ${issuer}\n`);

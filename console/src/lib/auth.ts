// Signing in: the development issuer on the embedded stack, OpenID Connect code + PKCE in production.
import { useSyncExternalStore } from "react";
import { config, serviceUrl } from "@/lib/config";
import { apiErrorFrom, ApiError } from "@/lib/errors";
import { getSession, sessionFromToken, setSession, subscribe, type Role, type Session } from "@/lib/session";

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}

export function signOut(): void {
  setSession(null);
}

/** The dev issuer (loopback only, never in production): any person with any roles, for a one-hour session. */
export async function devSignIn(subject: string, roles: Role[], team: string | null): Promise<Session> {
  let response: Response;
  try {
    response = await fetch(`${serviceUrl("intake")}/auth/dev-token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ subject, roles, team: team || null }),
    });
  } catch (exc) {
    throw new ApiError(0, exc instanceof Error ? exc.message : String(exc));
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw apiErrorFrom(response.status, body);
  const session = sessionFromToken((body as { access_token: string }).access_token);
  setSession(session);
  return session;
}

// ---- OpenID Connect, authorisation code + PKCE, as a public client (no secret in the browser) ----

interface Endpoints {
  authorization_endpoint: string;
  token_endpoint: string;
}

const PENDING = "tuneline.oidc.pending"; // the verifier and state of one sign-in; not a credential on its own

function oidcSettings() {
  const signIn = config().signIn;
  if (signIn.mode !== "oidc") throw new Error("this deployment signs in with the development issuer");
  return signIn;
}

async function endpoints(): Promise<Endpoints> {
  const s = oidcSettings();
  if (s.authorizationEndpoint && s.tokenEndpoint)
    return { authorization_endpoint: s.authorizationEndpoint, token_endpoint: s.tokenEndpoint };
  const response = await fetch(`${s.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider's discovery document answered HTTP ${response.status}`);
  return (await response.json()) as Endpoints;
}

function base64url(bytes: Uint8Array): string {
  let text = "";
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function redirectUri(): string {
  return oidcSettings().redirectUri ?? `${window.location.origin}/auth/callback`;
}

/** Sends the browser to the identity provider; it comes back to /auth/callback with a code. */
export async function startOidcSignIn(): Promise<void> {
  const s = oidcSettings();
  const { authorization_endpoint } = await endpoints();
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: s.clientId,
    redirect_uri: redirectUri(),
    scope: s.scope ?? "openid profile email",
    state,
    code_challenge: await pkceChallenge(verifier),
    code_challenge_method: "S256",
  }).toString();
  window.location.assign(url.toString());
}

/** On /auth/callback: trade the code (with the verifier only this tab knows) for an access token. */
export async function completeOidcSignIn(search: string): Promise<Session> {
  const params = new URLSearchParams(search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  if (params.get("error")) throw new Error(`the identity provider refused: ${params.get("error_description") ?? params.get("error")}`);
  if (!pending || params.get("state") !== pending.state) throw new Error("this sign-in was not started here; start again");
  const code = params.get("code");
  if (!code) throw new Error("the identity provider sent no code; start again");
  const { token_endpoint } = await endpoints();
  const response = await fetch(token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(),
      client_id: oidcSettings().clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the identity provider did not issue a token (HTTP ${response.status})`);
  const body = (await response.json()) as { access_token: string };
  const session = sessionFromToken(body.access_token);
  setSession(session);
  return session;
}

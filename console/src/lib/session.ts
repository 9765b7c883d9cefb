// The signed-in session, kept in memory only (never localStorage): a reload signs out, a stolen disk holds nothing.
export type Role = "admin" | "data_owner" | "ml_engineer" | "reviewer" | "viewer" | "sre" | "service";

export const ROLES: readonly Role[] = ["admin", "data_owner", "ml_engineer", "reviewer", "viewer", "sre"];

export interface Session {
  token: string;
  subject: string;
  roles: Role[];
  team: string | null;
  expiresAt: number;
}

let current: Session | null = null;
const listeners = new Set<() => void>();
let expiredNotice: string | null = null;

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null, notice: string | null = null): void {
  current = session;
  expiredNotice = notice;
  listeners.forEach((listener) => listener());
}

export function sessionNotice(): string | null {
  return expiredNotice;
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Roles and subject as the services will read them, from the token's own claims. */
export function sessionFromToken(token: string): Session {
  const payload = token.split(".")[1] ?? "";
  const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as {
    sub: string;
    roles?: string[];
    team?: string;
    exp: number;
  };
  return {
    token,
    subject: claims.sub,
    roles: (claims.roles ?? []).filter((r): r is Role => (ROLES as string[]).includes(r) || r === "service"),
    team: claims.team ?? null,
    expiresAt: claims.exp * 1000,
  };
}

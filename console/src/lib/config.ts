// The runtime configuration the server hands out at /config.json: one build serves every deployment.
export type Service = "intake" | "data" | "training" | "evaluation" | "registry" | "monitoring";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Defaults to the issuer's discovery document. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  scope?: string;
  /** Where the identity provider sends the browser back; defaults to <origin>/auth/callback. */
  redirectUri?: string;
}

export interface ConsoleConfig {
  environment: "development" | "test" | "production";
  services: Partial<Record<Service, string>>;
  signIn: { mode: "development" } | ({ mode: "oidc" } & OidcSettings);
}

let loaded: ConsoleConfig | null = null;

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`could not read /config.json (HTTP ${response.status})`);
  loaded = (await response.json()) as ConsoleConfig;
  return loaded;
}

export function config(): ConsoleConfig {
  if (!loaded) throw new Error("configuration not loaded yet");
  return loaded;
}

export function serviceUrl(service: Service): string {
  const url = config().services[service];
  if (!url) throw new Error(`the ${service} service is not part of this deployment`);
  return url;
}

// Registered models, versions, deployments and inference keys from the registry service, and the playground's
// chat completions through its OpenAI-compatible gateway.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/api/generated/registry";
import { registry } from "@/api/registry";
import { unwrap } from "@/lib/api";
import { serviceUrl } from "@/lib/config";
import { ApiError } from "@/lib/errors";

export type Model = components["schemas"]["ModelOut"];
export type Version = components["schemas"]["VersionOut"];
export type Deployment = components["schemas"]["DeploymentOut"];
export type Key = components["schemas"]["KeyOut"];
export type CreatedKey = components["schemas"]["CreatedKeyOut"];
export type PolicyChange = components["schemas"]["PolicyIn"];

export const MODEL_PAGE = 20;

export function useModels(offset: number) {
  return useQuery({
    queryKey: ["registry", "models", offset],
    queryFn: () => unwrap(registry().GET("/models", { params: { query: { limit: MODEL_PAGE, offset } } })),
    placeholderData: keepPreviousData,
  });
}

const byName = (name: string) => ({ params: { path: { name } } });

export function useModel(name: string) {
  return useQuery({
    queryKey: ["registry", "model", name],
    queryFn: () => unwrap(registry().GET("/models/{name}", byName(name))),
  });
}

export function useVersions(name: string) {
  return useQuery({
    queryKey: ["registry", "model", name, "versions"],
    queryFn: () => unwrap(registry().GET("/models/{name}/versions", byName(name))),
  });
}

export function useDeployment(name: string) {
  return useQuery({
    queryKey: ["registry", "model", name, "deployment"],
    queryFn: async () => {
      try {
        return await unwrap(registry().GET("/models/{name}/deployment", byName(name)));
      } catch (exc) {
        if (exc instanceof ApiError && exc.status === 404) return null; // never deployed
        throw exc;
      }
    },
    refetchInterval: 10_000,
  });
}

export function useCard(name: string, version: number | null) {
  return useQuery({
    queryKey: ["registry", "model", name, "card", version],
    queryFn: () =>
      unwrap(
        registry().GET("/models/{name}/versions/{version}/card", {
          params: { path: { name, version: version as number } },
          parseAs: "text",
        }),
      ) as Promise<string>,
    enabled: version != null,
  });
}

export type DeploymentAction =
  | { kind: "deploy"; version: number; canary_weight: number | null }
  | { kind: "weight"; canary_weight: number }
  | { kind: "promote" }
  | { kind: "rollback"; reason: string };

export function useDeploymentAction(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: DeploymentAction) => {
      const r = registry();
      if (action.kind === "deploy")
        return unwrap(r.POST("/models/{name}/deployment", { ...byName(name), body: { version: action.version, canary_weight: action.canary_weight } }));
      if (action.kind === "weight")
        return unwrap(r.PUT("/models/{name}/deployment/weight", { ...byName(name), body: { canary_weight: action.canary_weight } }));
      if (action.kind === "promote") return unwrap(r.POST("/models/{name}/deployment/promote", byName(name)));
      return unwrap(r.POST("/models/{name}/deployment/rollback", { ...byName(name), body: { reason: action.reason } }));
    },
    onSuccess: (deployment) => queryClient.setQueryData(["registry", "model", name, "deployment"], deployment),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["registry", "model", name] }),
  });
}

/** An admin's change of the model's governance policy (the registry audits it with the values before and after). */
export function useSetPolicy(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: PolicyChange) => unwrap(registry().PATCH("/models/{name}/policy", { ...byName(name), body: change })),
    onSuccess: (model) => queryClient.setQueryData(["registry", "model", name], model),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["registry", "model", name] }),
  });
}

export function useTransition(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ version, stage, reason }: { version: number; stage: string; reason: string }) =>
      unwrap(registry().POST("/models/{name}/versions/{version}/transition", { params: { path: { name, version } }, body: { stage, reason } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["registry", "model", name] }),
  });
}

export function useReviewVersion(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ version, approved, comment }: { version: number; approved: boolean; comment: string }) =>
      unwrap(registry().POST("/models/{name}/versions/{version}/review", { params: { path: { name, version } }, body: { approved, comment } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["registry", "model", name] }),
  });
}

export function useKeys(model: string, enabled: boolean) {
  return useQuery({
    queryKey: ["registry", "keys", model],
    queryFn: () => unwrap(registry().GET("/models/keys", { params: { query: { model, limit: 100 } } })),
    enabled,
  });
}

export function useCreateKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; models: string[]; requests_per_minute: number }) => unwrap(registry().POST("/models/keys", { body: { ...body, fine_tuning: false } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["registry", "keys"] }),
  });
}

export function useRevokeKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (prefix: string) => unwrap(registry().DELETE("/models/keys/{prefix}", { params: { path: { prefix } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["registry", "keys"] }),
  });
}

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

/** One chat completion with a scoped inference key (the served model's router checks the key, not the session). */
export async function chat(model: string, key: string, messages: ChatMessage[]): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${serviceUrl("registry")}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages, max_tokens: 128 }),
    });
  } catch (exc) {
    throw new ApiError(0, exc instanceof Error ? exc.message : String(exc));
  }
  const body = (await response.json().catch(() => null)) as {
    choices?: { message?: { content?: string } }[];
    error?: { message?: string };
    detail?: string;
  } | null;
  if (!response.ok) {
    const detail = body?.error?.message ?? body?.detail ?? `HTTP ${response.status}`;
    // A refused inference key is not the end of the person's session: no 401 sign-out here.
    if (response.status === 401 || response.status === 403) throw new ApiError(400, `The inference key was refused: ${detail}`);
    throw new ApiError(response.status, detail);
  }
  return body?.choices?.[0]?.message?.content ?? "";
}

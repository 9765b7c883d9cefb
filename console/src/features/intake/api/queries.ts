import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { intake } from "@/api/intake";
import { unwrap } from "@/lib/api";
import type { Draft } from "@/features/intake/api/form";

export function useUseCase(id: string) {
  return useQuery({
    queryKey: ["intake", "usecase", id],
    queryFn: () => unwrap(intake().GET("/usecases/{usecase_id}", { params: { path: { usecase_id: id } } })),
  });
}

export function useTimeline(id: string) {
  return useQuery({
    queryKey: ["intake", "usecase", id, "timeline"],
    queryFn: () => unwrap(intake().GET("/usecases/{usecase_id}/timeline", { params: { path: { usecase_id: id } } })),
  });
}

export function useComments(id: string) {
  return useQuery({
    queryKey: ["intake", "usecase", id, "comments"],
    queryFn: () => unwrap(intake().GET("/usecases/{usecase_id}/comments", { params: { path: { usecase_id: id } } })),
  });
}

/** Save the draft: create it the first time, edit it afterwards. */
export function useSaveDraft() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, draft }: { id: string | null; draft: Draft }) => {
      const body = JSON.parse(JSON.stringify(draft)) as Record<string, unknown>;
      return id
        ? unwrap(intake().PATCH("/usecases/{usecase_id}", { params: { path: { usecase_id: id } }, body }))
        : unwrap(intake().POST("/usecases", { body }));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["intake"] }),
  });
}

export function useSubmit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(intake().POST("/usecases/{usecase_id}/submit", { params: { path: { usecase_id: id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["intake"] }),
  });
}

export type ReviewAction = "start-review" | "approve" | "reject" | "request-changes";

export function useReview(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ action, comment }: { action: ReviewAction; comment: string }) => {
      const path = { params: { path: { usecase_id: id } } };
      switch (action) {
        case "start-review":
          return unwrap(intake().POST("/usecases/{usecase_id}/start-review", path));
        case "approve":
          return unwrap(intake().POST("/usecases/{usecase_id}/approve", { ...path, body: { reason: comment || null } }));
        case "reject":
          return unwrap(intake().POST("/usecases/{usecase_id}/reject", { ...path, body: { reason: comment } }));
        case "request-changes":
          return unwrap(intake().POST("/usecases/{usecase_id}/request-changes", { ...path, body: { reason: comment } }));
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["intake"] }),
  });
}

export function useComment(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) =>
      unwrap(intake().POST("/usecases/{usecase_id}/comments", { params: { path: { usecase_id: id } }, body: { body: text } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["intake", "usecase", id] }),
  });
}

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { data } from "@/api/data";
import type { Assignment } from "@/features/datasets/api/labels";
import { unwrap } from "@/lib/api";

export const DATASET_PAGE = 20;

export function useDatasets(offset: number) {
  return useQuery({
    queryKey: ["data", "datasets", offset],
    queryFn: () => unwrap(data().GET("/datasets", { params: { query: { limit: DATASET_PAGE, offset } } })),
    placeholderData: keepPreviousData,
  });
}

export function useCreateDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { usecase_id: string; name: string; description?: string | null }) =>
      unwrap(data().POST("/datasets", { body })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["data", "datasets"] }),
  });
}

export function useDataset(id: string) {
  return useQuery({
    queryKey: ["data", "dataset", id],
    queryFn: () => unwrap(data().GET("/datasets/{dataset_id}", { params: { path: { dataset_id: id } } })),
  });
}

export function useVersions(id: string) {
  return useQuery({
    queryKey: ["data", "dataset", id, "versions"],
    queryFn: () => unwrap(data().GET("/datasets/{dataset_id}/versions", { params: { path: { dataset_id: id } } })),
  });
}

const versionPath = (id: string, number: number) => ({ params: { path: { dataset_id: id, number } } });

export function useReport(id: string, number: number) {
  return useQuery({
    queryKey: ["data", "dataset", id, "versions", number, "report"],
    queryFn: () => unwrap(data().GET("/datasets/{dataset_id}/versions/{number}/report", versionPath(id, number))),
  });
}

export function usePii(id: string, number: number) {
  return useQuery({
    queryKey: ["data", "dataset", id, "versions", number, "pii"],
    queryFn: () => unwrap(data().GET("/datasets/{dataset_id}/versions/{number}/pii", versionPath(id, number))),
  });
}

export function usePreview(id: string, number: number, offset: number, limit: number) {
  return useQuery({
    queryKey: ["data", "dataset", id, "versions", number, "preview", offset, limit],
    queryFn: () =>
      unwrap(
        data().GET("/datasets/{dataset_id}/versions/{number}/preview", {
          params: { path: { dataset_id: id, number }, query: { offset, limit } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useRedact(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ number, mode }: { number: number; mode: "replace" | "mask" | "hash" }) =>
      unwrap(data().POST("/datasets/{dataset_id}/versions/{number}/redact", { ...versionPath(id, number), body: { mode } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["data", "dataset", id] }),
  });
}

export function useVersion(id: string, number: number, enabled = true) {
  return useQuery({
    queryKey: ["data", "dataset", id, "versions", number],
    queryFn: () => unwrap(data().GET("/datasets/{dataset_id}/versions/{number}", versionPath(id, number))),
    enabled,
  });
}

/** The version and its ancestors, newest first (as the service answers). */
export function useLineage(id: string, number: number) {
  return useQuery({
    queryKey: ["data", "dataset", id, "versions", number, "lineage"],
    queryFn: () => unwrap(data().GET("/datasets/{dataset_id}/versions/{number}/lineage", versionPath(id, number))),
  });
}

export type LabelAssignment = Assignment;

/** A new version of `number` with the labels applied (the version itself never changes). */
export function useApplyLabels(id: string, number: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { labels: LabelAssignment[]; keep_unlabelled: boolean }) =>
      unwrap(data().POST("/datasets/{dataset_id}/versions/{number}/labels", { ...versionPath(id, number), body })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["data", "dataset", id] }),
  });
}

// Evaluations, their report and the blind human review, from the evaluation service.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { evaluation } from "@/api/evaluation";
import type { components } from "@/api/generated/evaluation";
import { intake } from "@/api/intake";
import { unwrap } from "@/lib/api";
import { apiErrorFrom } from "@/lib/errors";

export type Evaluation = components["schemas"]["EvaluationOut"];
export type ReviewItem = components["schemas"]["ReviewItemOut"];
export type RatingIn = components["schemas"]["RatingIn"];
export type ReportFormat = "json" | "html" | "pdf" | "xlsx";

export const EVALUATION_PAGE = 20;

export function useUseCases() {
  return useQuery({
    queryKey: ["intake", "portfolio", "all"],
    queryFn: () => unwrap(intake().GET("/usecases", { params: { query: { limit: 100 } } })),
  });
}

export function useEvaluations(usecaseId: string, offset: number) {
  return useQuery({
    queryKey: ["evaluation", "list", usecaseId, offset],
    queryFn: () =>
      unwrap(
        evaluation().GET("/evaluations", {
          params: { query: { usecase_id: usecaseId || undefined, limit: EVALUATION_PAGE, offset } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

const path = (id: string) => ({ params: { path: { evaluation_id: id } } });

export function useEvaluation(id: string) {
  return useQuery({
    queryKey: ["evaluation", id],
    queryFn: () => unwrap(evaluation().GET("/evaluations/{evaluation_id}", path(id))),
    refetchInterval: (query) => (query.state.data && ["queued", "running"].includes(query.state.data.status) ? 5_000 : false),
  });
}

/** The JSON report: per-class scores, confusion matrices and the error analysis (worst cases, regressions). */
export interface Report {
  primary_metric?: string;
  confusion?: { base: Matrix | null; tuned: Matrix | null };
  per_class?: { base: Record<string, ClassScores> | null; tuned: Record<string, ClassScores> | null };
  error_analysis?: { worst: Sample[]; regressions: Sample[] };
  gate?: { passed: boolean; reasons: string[]; perplexity_ratio: number; suite_drop: number } | null;
}
export interface Matrix {
  labels: string[];
  counts: number[][];
}
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}
export interface Sample {
  record_id: string;
  prompt: string;
  reference: string;
  base: { output: string; score: number };
  tuned: { output: string; score: number };
}

export function useReport(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ["evaluation", id, "report"],
    queryFn: async () =>
      (await unwrap(
        evaluation().GET("/evaluations/{evaluation_id}/report", { params: { path: { evaluation_id: id }, query: { format: "json" } } }),
      )) as Report,
    enabled,
  });
}

/** Fetches the report with the session's token (a plain link could not carry it) and saves it as a file. */
export async function downloadReport(id: string, format: ReportFormat): Promise<void> {
  const result = await evaluation().GET("/evaluations/{evaluation_id}/report", {
    params: { path: { evaluation_id: id }, query: { format } },
    parseAs: "blob",
  });
  if (!result.response.ok) {
    let body: unknown = null;
    try {
      body = JSON.parse(await (result.error as Blob | undefined)?.text?.() ?? "null");
    } catch {
      body = null;
    }
    throw apiErrorFrom(result.response.status, body ?? result.error);
  }
  const url = URL.createObjectURL(result.data as Blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `evaluation-${id}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function useReview(id: string) {
  return useQuery({
    queryKey: ["evaluation", id, "review"],
    queryFn: () => unwrap(evaluation().GET("/evaluations/{evaluation_id}/review", path(id))),
  });
}

export function useReviewItems(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ["evaluation", id, "review", "items"],
    queryFn: () => unwrap(evaluation().GET("/evaluations/{evaluation_id}/review/items", path(id))),
    enabled,
  });
}

export function useRate(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RatingIn) => unwrap(evaluation().POST("/evaluations/{evaluation_id}/review/ratings", { ...path(id), body })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["evaluation", id, "review"], exact: true }),
  });
}

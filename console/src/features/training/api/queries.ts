// Training jobs from the training service; the use cases and dataset versions they start from, from intake and data.
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { data } from "@/api/data";
import { training } from "@/api/training";
import type { components } from "@/api/generated/training";
import { unwrap } from "@/lib/api";

export type Job = components["schemas"]["JobResponse"];
export type Preset = components["schemas"]["Preset"];
export type Method = "lora" | "qlora" | "full";
export type Estimate = components["schemas"]["EstimateResponse"];
export type MetricPoint = components["schemas"]["MetricPoint"];

export const STATUS_TONE: Record<string, "neutral" | "good" | "warn" | "bad"> = {
  queued: "neutral",
  starting: "warn",
  running: "good",
  paused: "warn",
  succeeded: "good",
  failed: "bad",
  cancelled: "neutral",
};

export const JOB_PAGE = 10;
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
export const isFinished = (job: Job) => FINISHED.has(job.status);

export function useUseCaseDatasets(usecaseId: string) {
  return useQuery({
    queryKey: ["data", "datasets", "usecase", usecaseId],
    queryFn: () => unwrap(data().GET("/datasets", { params: { query: { usecase_id: usecaseId, limit: 100 } } })),
    enabled: !!usecaseId,
  });
}

export function useDatasetVersions(datasetId: string) {
  return useQuery({
    queryKey: ["data", "dataset", datasetId, "versions"],
    queryFn: () => unwrap(data().GET("/datasets/{dataset_id}/versions", { params: { path: { dataset_id: datasetId } } })),
    enabled: !!datasetId,
  });
}

export function useJobs(usecaseId: string, offset: number) {
  return useQuery({
    queryKey: ["training", "jobs", usecaseId, offset],
    queryFn: () =>
      unwrap(training().GET("/jobs", { params: { query: { usecase_id: usecaseId, limit: JOB_PAGE, offset } } })),
    enabled: !!usecaseId,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

// What the estimate prices when neither the person nor an earlier job of the use case names a base model.
export const DEFAULT_BASE_MODEL = "smollm2-135m-instruct";

export interface JobDraft {
  dataset_version_id: string;
  base_model: string | null;
  preset: Preset;
  method: Method;
  priority: number;
  hyperparameters: Record<string, number | string>;
}

export function useEstimate() {
  return useMutation({
    mutationFn: (draft: JobDraft) =>
      unwrap(
        training().POST("/jobs/estimate", {
          body: {
            dataset_version_id: draft.dataset_version_id,
            base_model: draft.base_model ?? DEFAULT_BASE_MODEL,
            preset: draft.preset,
            method: draft.method,
            hyperparameters: draft.hyperparameters,
          },
        }),
      ),
  });
}

export function useStartJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (draft: JobDraft) => unwrap(training().POST("/jobs", { body: draft })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["training", "jobs"] }),
  });
}

// Live progress comes from the job's event stream (api/stream.ts); these poll only where it cannot be used.
const POLL_MS = 2_000;

export function useJob(id: string, poll: boolean) {
  return useQuery({
    queryKey: ["training", "job", id],
    queryFn: () => unwrap(training().GET("/jobs/{job_id}", { params: { path: { job_id: id } } })),
    refetchInterval: (query) => (poll && !(query.state.data && isFinished(query.state.data)) ? POLL_MS : false),
  });
}

/** The metric history: read once (a finished job), polled (the stream failed), or fed by the stream (disabled). */
export function useJobMetrics(id: string, { enabled, poll }: { enabled: boolean; poll: boolean }) {
  return useQuery({
    queryKey: ["training", "job", id, "metrics"],
    queryFn: () => unwrap(training().GET("/jobs/{job_id}/metrics", { params: { path: { job_id: id } } })),
    enabled,
    refetchInterval: poll ? POLL_MS : false,
  });
}

export function useJobAction(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: "cancel" | "pause" | "resume") => {
      const path = { params: { path: { job_id: id } } };
      if (action === "cancel") return unwrap(training().POST("/jobs/{job_id}/cancel", path));
      if (action === "pause") return unwrap(training().POST("/jobs/{job_id}/pause", path));
      return unwrap(training().POST("/jobs/{job_id}/resume", path));
    },
    onSuccess: (job) => queryClient.setQueryData(["training", "job", id], job),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["training", "jobs"] }),
  });
}

/** The metric history of several jobs at once, for the overlay of a use case's runs. */
export function useJobsMetrics(ids: string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: ["training", "job", id, "metrics"],
      queryFn: () => unwrap(training().GET("/jobs/{job_id}/metrics", { params: { path: { job_id: id } } })),
    })),
  });
}

// What the monitoring service measures of served models: current figures, series, costs, drift and alerts.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { components } from "@/api/generated/monitoring";
import { monitoring } from "@/api/monitoring";
import { unwrap } from "@/lib/api";

export type Alert = components["schemas"]["AlertOut"];
export type AlertState = components["schemas"]["AlertState"];
export type DriftReport = components["schemas"]["DriftReportOut"];
export type Figures = components["schemas"]["Figures"];

/** The windows a person picks from, in hours, with the series' step for each. */
export const WINDOWS: readonly { hours: number; label: string; step: number }[] = [
  { hours: 1, label: "Last hour", step: 60 },
  { hours: 24, label: "Last 24 hours", step: 1800 },
  { hours: 24 * 7, label: "Last 7 days", step: 3 * 3600 },
];

const since = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

export function useCurrent() {
  return useQuery({
    queryKey: ["monitoring", "current"],
    queryFn: () => unwrap(monitoring().GET("/metrics/models")),
    refetchInterval: 15_000,
  });
}

export function useSeries(model: string, hours: number, step: number) {
  return useQuery({
    queryKey: ["monitoring", "series", model, hours],
    queryFn: () =>
      unwrap(
        monitoring().GET("/metrics/models/{model}/series", {
          params: { path: { model }, query: { start: since(hours), step_seconds: step } },
        }),
      ),
    enabled: !!model,
    refetchInterval: 30_000,
  });
}

export function useCosts(hours: number) {
  return useQuery({
    queryKey: ["monitoring", "costs", hours],
    queryFn: () => unwrap(monitoring().GET("/metrics/costs", { params: { query: { start: since(hours) } } })),
  });
}

export function useDrift(limit: number) {
  return useQuery({
    queryKey: ["monitoring", "drift", limit],
    queryFn: () => unwrap(monitoring().GET("/drift/reports", { params: { query: { limit } } })),
    placeholderData: keepPreviousData,
  });
}

export function useAlerts(state: AlertState, limit: number) {
  return useQuery({
    queryKey: ["monitoring", "alerts", state, limit],
    queryFn: () => unwrap(monitoring().GET("/alerts", { params: { query: { state, limit } } })),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
}

export function useAlertAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: "acknowledge" | "resolve" }) => {
      const path = { params: { path: { alert_id: id } } };
      return action === "acknowledge"
        ? unwrap(monitoring().POST("/alerts/{alert_id}/acknowledge", path))
        : unwrap(monitoring().POST("/alerts/{alert_id}/resolve", path));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["monitoring", "alerts"] }),
  });
}

// The dashboard's four questions, each asked of the service that owns the answer.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { intake } from "@/api/intake";
import { monitoring } from "@/api/monitoring";
import { training } from "@/api/training";
import { unwrap } from "@/lib/api";

export const PORTFOLIO_PAGE = 10;

export function usePortfolio(offset: number) {
  return useQuery({
    queryKey: ["intake", "portfolio", offset],
    queryFn: () => unwrap(intake().GET("/usecases", { params: { query: { limit: PORTFOLIO_PAGE, offset } } })),
    placeholderData: keepPreviousData,
  });
}

export function useRunningJobs() {
  return useQuery({
    queryKey: ["training", "jobs", "running"],
    queryFn: () => unwrap(training().GET("/jobs", { params: { query: { status: "running", limit: 20 } } })),
    refetchInterval: 5_000,
  });
}

export function useServedModels() {
  return useQuery({
    queryKey: ["monitoring", "current"],
    queryFn: () => unwrap(monitoring().GET("/metrics/models")),
    refetchInterval: 15_000,
  });
}

export function useOpenAlerts() {
  return useQuery({
    queryKey: ["monitoring", "alerts", "firing"],
    queryFn: () => unwrap(monitoring().GET("/alerts", { params: { query: { state: "firing", limit: 20 } } })),
    refetchInterval: 15_000,
  });
}

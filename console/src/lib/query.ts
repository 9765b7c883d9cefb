// Server state lives in TanStack Query. networkMode 'always': the services are often on this machine, and a
// browser that believes it is offline must not silently hold requests back.
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "@/lib/errors";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        networkMode: "always",
        staleTime: 5_000,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { networkMode: "always" },
    },
  });
}

// Thin, lazy routes: each screen is its own chunk, loaded when first visited.
import { lazy, Suspense, useEffect } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { Layout } from "@/app/Layout";
import { Loading } from "@/components/ui/Feedback";
import { SignInPage } from "@/features/auth/components/SignInPage";
import { OidcCallback } from "@/features/auth/components/OidcCallback";
import { useSession } from "@/lib/auth";
import { can } from "@/lib/permissions";
import { useQueryClient } from "@tanstack/react-query";

const DashboardPage = lazy(() => import("@/features/dashboard/components/DashboardPage"));
const WizardPage = lazy(() => import("@/features/intake/components/WizardPage"));
const DatasetsPage = lazy(() => import("@/features/datasets/components/DatasetsPage"));
const DatasetPage = lazy(() => import("@/features/datasets/components/DatasetPage"));
const LabelPage = lazy(() => import("@/features/datasets/components/LabelPage"));
const UseCasePage = lazy(() => import("@/features/intake/components/UseCasePage"));
const TrainingPage = lazy(() => import("@/features/training/components/TrainingPage"));
const JobPage = lazy(() => import("@/features/training/components/JobPage"));
const EvaluationsPage = lazy(() => import("@/features/evaluation/components/EvaluationsPage"));
const EvaluationPage = lazy(() => import("@/features/evaluation/components/EvaluationPage"));
const ModelsPage = lazy(() => import("@/features/registry/components/ModelsPage"));
const ModelPage = lazy(() => import("@/features/registry/components/ModelPage"));
const MonitoringPage = lazy(() => import("@/features/monitoring/components/MonitoringPage"));

export function AppRoutes() {
  const session = useSession();
  const location = useLocation();
  const queryClient = useQueryClient();
  // Another person's answers must never show: signing out (or in as someone else) empties the cache.
  useEffect(() => {
    queryClient.clear();
  }, [session?.subject, session?.token, queryClient]);
  if (!session) {
    return (
      <Routes>
        <Route path="/auth/callback" element={<OidcCallback />} />
        <Route path="*" element={<SignInPage next={location.pathname + location.search} />} />
      </Routes>
    );
  }
  return (
    <Layout>
      <Suspense fallback={<Loading what="the screen" />}>
        <Routes>
          <Route path="/" element={<DashboardPage />} />
          <Route
            path="/usecases/new"
            element={can(session, "usecase.create") ? <WizardPage /> : <Forbidden what="write a use case" />}
          />
          <Route path="/usecases/:id" element={<UseCasePage />} />
          <Route path="/datasets" element={<DatasetsPage />} />
          <Route path="/datasets/:id" element={<DatasetPage />} />
          <Route
            path="/datasets/:id/versions/:number/labels"
            element={can(session, "dataset.manage") ? <LabelPage /> : <Forbidden what="label a dataset's records" />}
          />
          <Route path="/training" element={<TrainingPage />} />
          <Route path="/training/jobs/:id" element={<JobPage />} />
          <Route path="/evaluations" element={<EvaluationsPage />} />
          <Route path="/evaluations/:id" element={<EvaluationPage />} />
          <Route path="/models" element={<ModelsPage />} />
          <Route path="/models/:name" element={<ModelPage />} />
          <Route path="/monitoring" element={<MonitoringPage />} />
          <Route path="/auth/callback" element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}

function Forbidden({ what }: { what: string }) {
  const session = useSession();
  return (
    <main className="page">
      <h1>Not allowed</h1>
      <div role="alert" className="alert alert-error">
        <p>
          Your roles ({session?.roles.join(", ")}) do not allow you to {what}. Ask an administrator for a role that
          does, or sign in as someone who has it.
        </p>
      </div>
    </main>
  );
}

function NotFound() {
  return (
    <main className="page">
      <h1>Page not found</h1>
      <p>
        This address is not a screen of the console. <a href="/">Go to the dashboard</a>.
      </p>
    </main>
  );
}

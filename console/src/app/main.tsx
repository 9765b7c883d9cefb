import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "@/app/App";
import { loadConfig } from "@/lib/config";
import "@/app/styles.css";

const root = createRoot(document.getElementById("root")!);
loadConfig()
  .then(() =>
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) =>
    root.render(
      <main className="page">
        <h1>Tuneline console</h1>
        <div role="alert" className="alert alert-error">
          <p>The console could not start: {String(error instanceof Error ? error.message : error)}</p>
          <p>It is served by `tuneline up`, which writes its config.json; start the stack and reload.</p>
        </div>
      </main>,
    ),
  );

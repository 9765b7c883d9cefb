import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { ErrorMessage, Loading } from "@/components/ui/Feedback";
import { completeOidcSignIn } from "@/lib/auth";

export function OidcCallback() {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // a code is good for one exchange only
    started.current = true;
    completeOidcSignIn(window.location.search)
      .then(() => navigate("/", { replace: true }))
      .catch(setError);
  }, [navigate]);
  return (
    <main className="page narrow">
      <h1>Signing in</h1>
      {error ? <ErrorMessage error={error} action={<a href="/">Start again</a>} /> : <Loading what="your session" />}
    </main>
  );
}

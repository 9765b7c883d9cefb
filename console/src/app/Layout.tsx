import type { ReactNode } from "react";
import { NavLink } from "react-router-dom";
import { signOut, useSession } from "@/lib/auth";
import { can, type Capability } from "@/lib/permissions";

const NAV: { to: string; label: string; needs?: Capability }[] = [
  { to: "/", label: "Dashboard" },
  { to: "/usecases/new", label: "New use case", needs: "usecase.create" },
  { to: "/datasets", label: "Datasets" },
  { to: "/training", label: "Training" },
  { to: "/evaluations", label: "Evaluations" },
  { to: "/models", label: "Models" },
  { to: "/monitoring", label: "Monitoring" },
];

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  return (
    <div className="shell">
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Tuneline</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.needs || can(session, item.needs)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            Signed in as <strong>{session?.subject}</strong> ({session?.roles.join(", ")})
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <div id="content">{children}</div>
    </div>
  );
}

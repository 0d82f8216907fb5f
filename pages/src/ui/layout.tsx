// The signed-in frame: a sidebar of the pages the user may open, and the page beside it.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { useDeadLetterTotal } from "../lib/dead-letter-total";
import { useSession } from "../lib/session";
import { Logo } from "./logo";

interface NavItem {
  href: string;
  label: string;
  /** Shown only to those with this permission (a list: any one of them). */
  needs?: string | string[];
  group: string;
}

const NAV: NavItem[] = [
  { href: "/connect", label: "Connect", group: "Use" },
  {
    href: "/virtual-keys",
    label: "Virtual keys",
    needs: "llmVirtualKey:read",
    group: "LLM proxies",
  },
  { href: "/llm-proxies", label: "Proxies", needs: "llmProxy:read", group: "LLM proxies" },
  {
    href: "/provider-keys",
    label: "Provider keys",
    needs: "providerKey:read",
    group: "LLM proxies",
  },
  { href: "/mcp-servers", label: "MCP servers", needs: "mcpServer:read", group: "MCP" },
  {
    href: "/mcp-gateways",
    label: "MCP gateways",
    // Members read gateways only to connect; the page is for those who run them.
    needs: ["mcpGateway:update", "mcpServer:read"],
    group: "MCP",
  },
  { href: "/mcp-logs", label: "MCP logs", needs: "log:read", group: "MCP" },
  { href: "/costs", label: "Costs & limits", needs: "limit:read", group: "Govern" },
  { href: "/observability", label: "Observability", needs: "log:read", group: "Govern" },
  { href: "/telemetry", label: "Telemetry", needs: "log:read", group: "Govern" },
  { href: "/members", label: "Members", needs: "member:read", group: "Organisation" },
  { href: "/teams", label: "Teams", needs: "team:read", group: "Organisation" },
  { href: "/audit", label: "Audit log", needs: "audit:read", group: "Organisation" },
  { href: "/settings", label: "Settings", needs: "organisation:read", group: "Organisation" },
];

const BUILT_IN_ROLES: Record<string, string> = {
  admin: "Admin",
  editor: "Editor",
  member: "Member",
};

/** Built-in roles by name; a custom role's id means nothing to a person, so it reads as such. */
export function roleLabel(role: string): string {
  return BUILT_IN_ROLES[role] ?? "Custom role";
}

export function Layout(props: { children: ComponentChildren }) {
  const { user, can, signOut } = useSession();
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  const allowed = (needs: NavItem["needs"]) =>
    needs === undefined || (typeof needs === "string" ? can(needs) : needs.some(can));
  const items = NAV.filter((i) => allowed(i.needs));
  // Dead letters waiting to be stored, on the Telemetry link: something for an admin to see to.
  const waiting = useDeadLetterTotal(can("log:read"));
  const groups = [...new Set(items.map((i) => i.group))];
  return (
    <div class={`shell ${menuOpen ? "menu-open" : ""}`}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span>
          <span class="visually-hidden">Menu</span>
        </button>
        <a class="brand" href="/connect">
          <Logo />
          <span>Gatehouse</span>
        </a>
      </header>
      <nav id="sidebar" class="sidebar" aria-label="Main">
        <a class="brand brand-side" href="/connect">
          <Logo />
          <span>Gatehouse</span>
        </a>
        {groups.map((group) => (
          <div class="nav-group" key={group}>
            <p class="nav-heading">{group}</p>
            <ul>
              {items
                .filter((i) => i.group === group)
                .map((i) => (
                  <li key={i.href}>
                    <a href={i.href} aria-current={path === i.href ? "page" : undefined}>
                      {i.label}
                      {i.href === "/telemetry" && waiting ? (
                        <span class="nav-count">
                          <span aria-hidden="true">{waiting}</span>
                          <span class="visually-hidden">({waiting} waiting)</span>
                        </span>
                      ) : null}
                    </a>
                  </li>
                ))}
            </ul>
          </div>
        ))}
        <div class="nav-user">
          <a
            href="/profile"
            class="nav-user-link"
            aria-current={path === "/profile" ? "page" : undefined}
          >
            <span class="avatar" aria-hidden="true">
              {(user.name || user.email).slice(0, 1).toUpperCase()}
            </span>
            <span>
              <strong>{user.name}</strong>
              <small>{roleLabel(user.role)}</small>
            </span>
          </a>
          <button type="button" class="button ghost small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" class="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}

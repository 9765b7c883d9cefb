// Fixtures: sign in as a person through the development sign-in screen, check a screen with axe, and keep a
// screenshot of it for docs/console/.
import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/console");

export const PEOPLE = {
  owner: { subject: "olivia.owner@plant.example", roles: ["data_owner"] },
  reviewer: { subject: "rey.reviewer@plant.example", roles: ["reviewer"] },
  secondReviewer: { subject: "ria.reviewer@plant.example", roles: ["reviewer"] }, // a blind review needs two
  engineer: { subject: "mia.engineer@plant.example", roles: ["ml_engineer"] },
  viewer: { subject: "vic.viewer@plant.example", roles: ["viewer"] },
  sre: { subject: "sam.sre@plant.example", roles: ["sre"] },
  admin: { subject: "ada.admin@plant.example", roles: ["admin"] }, // governance: a model's policy
} as const;

export type Person = keyof typeof PEOPLE;

async function signIn(page: Page, person: Person, path = "/") {
  const { subject, roles } = PEOPLE[person];
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "Sign in to Tuneline" })).toBeVisible();
  await page.getByLabel("Person").fill(subject);
  for (const role of ["admin", "data_owner", "ml_engineer", "reviewer", "viewer", "sre"]) {
    await page.getByRole("checkbox", { name: role, exact: true }).setChecked((roles as readonly string[]).includes(role));
  }
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(`Signed in as ${subject}`)).toBeVisible();
}

/** WCAG 2.1 A/AA, once the screen has reached the state under test: no serious or critical violation. */
async function checkAccessible(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    blocking.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `accessibility of ${screen}`,
  ).toEqual([]);
}

async function snap(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

export const test = base.extend<{
  signIn: (person: Person, path?: string) => Promise<void>;
  checkAccessible: (screen: string) => Promise<void>;
  snap: (name: string) => Promise<void>;
}>({
  signIn: async ({ page }, use) => use((person, path) => signIn(page, person, path)),
  checkAccessible: async ({ page }, use) => use((screen) => checkAccessible(page, screen)),
  snap: async ({ page }, use) => use((name) => snap(page, name)),
});

export { expect };

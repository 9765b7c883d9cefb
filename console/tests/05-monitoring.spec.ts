// The SRE's monitoring screen before any traffic (the browser tier deploys nothing): each panel says what fills it.
import { expect, test } from "./fixtures";

test("monitoring says what each panel waits for, and the SRE may handle alerts", async ({ page, signIn, checkAccessible, snap }) => {
  await signIn("sre");
  await page.getByRole("link", { name: "Monitoring" }).click();
  await expect(page.getByRole("heading", { name: "Monitoring", exact: true })).toBeVisible();
  await expect(page.getByText("No traffic measured yet.")).toBeVisible();
  await expect(page.getByText("No firing alerts.")).toBeVisible();
  await expect(page.getByText("No drift report yet.")).toBeVisible();
  await expect(page.getByText("No cost in this window.")).toBeVisible();
  await page.getByLabel("Show alerts").selectOption("resolved");
  await expect(page.getByText("No resolved alerts.")).toBeVisible();
  await checkAccessible("monitoring");
  await snap("monitoring");
});

// The training screen's form as the ML engineer fills it in: the use case's dataset (its newest ready version, chosen
// for them), a preset, and the estimate that comes before any start.
import { expect, type Page } from "@playwright/test";

export class TrainingForm {
  constructor(readonly page: Page) {}

  /** From the navigation to an estimate for `useCase` on `dataset` with the quick-start preset. */
  async estimateQuickStart(useCase: string, dataset: string) {
    const page = this.page;
    await page.getByRole("link", { name: "Training", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Training", exact: true })).toBeVisible();
    await page.getByLabel("Use case").selectOption({ label: useCase });
    await page.getByLabel("Dataset", { exact: true }).selectOption({ label: dataset });
    // The newest ready version (the redacted one) is chosen for the engineer.
    await expect(page.getByLabel("Dataset version")).toHaveValue(/.+/);
    await page.getByLabel(/Quick start/).check();
    // The training service learns of a ready version from the data service's event: ask until it has.
    const estimate = page.getByRole("table", { name: "Estimate per hardware profile" });
    await expect(async () => {
      await page.getByRole("button", { name: "Estimate time and cost" }).click();
      await expect(estimate).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 120_000 });
    return estimate;
  }
}

import { test, expect } from './fixtures';

test('the API docs page shows every route of the OpenAPI document, under its own policy', async ({ page, server }) => {
  const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  const operations = Object.values(doc.paths as Record<string, object>).reduce((n, item) => n + Object.keys(item).length, 0);
  await page.goto(`${server.url}/api-docs`);
  await expect(page.locator('.swagger-ui .title')).toContainText('JetX Predictor API');
  // One block per operation, each with its method and path.
  await expect(page.locator('.opblock')).toHaveCount(operations);
  await expect(page.locator('.opblock-summary-path', { hasText: '/api/v1/rounds/{id}' }).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/api-docs-1280.png' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/api-docs-390.png' });
});

// A workflow named like a script is text on every page: no dialog opens, no script runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
    chromiumMissing, deploy, fixturesDir, launchBrowser, screenshot, startRunner, watchPage,
} from './harness.mjs';

const greeter = JSON.parse(readFileSync(path.join(fixturesDir, 'greeter.json'), 'utf8'));
const kName = '<script>alert(1)</script>';
const kDescription = '<img src=x onerror=alert(2)>';

describe('hostile workflow names', { skip: chromiumMissing }, () => {
    let runner;
    let browser;

    before(async () => {
        runner = await startRunner();
        browser = await launchBrowser();
        const result = await fetch(`${runner.baseUrl}/api/deploy`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: kName, slug: 'xss', description: kDescription, workflow: greeter }),
        });
        assert.equal(result.status, 201);
    });

    after(async () => {
        await browser?.close();
        await runner?.stop();
    });

    test('the docs page shows the name as text', async () => {
        const page = await browser.context.newPage();
        const watch = watchPage(page);
        await page.goto(`${runner.baseUrl}/api/workflows/xss/docs`);
        assert.equal(await page.title(), `${kName} - API Documentation`);
        await page.locator('.docs-title').filter({ hasText: kName }).waitFor();
        await page.locator('.swagger-ui .info .title').filter({ hasText: kName }).waitFor();
        // The description is Markdown to Swagger UI; it must still read as text.
        await page.locator('.swagger-ui .info').getByText(kDescription).first().waitFor();
        assert.equal(await page.locator('.swagger-ui img').count(), 0);
        assert.equal(await page.locator('script:not([src])').count(), 0);
        await screenshot(page, 'xss-docs');
        assert.deepEqual(watch.problems(), []);
        await page.close();
    });

    test('the dashboard shows the name and description as text', async () => {
        const page = await browser.context.newPage();
        const watch = watchPage(page);
        await page.goto(`${runner.baseUrl}/dashboard`);
        const row = page.locator('#deployments-body tr[data-slug="xss"]');
        await row.waitFor();
        assert.equal(await row.locator('.workflow-name').innerText(), kName);
        assert.equal(await row.locator('.workflow-description').innerText(), kDescription);
        assert.equal(await page.locator('#deployments-body img').count(), 0);
        await row.getByRole('button', { name: /Open/ }).click();
        assert.equal(await page.locator('#panel-title').innerText(), kName);
        assert.equal(await page.locator('#panel-description').innerText(), kDescription);
        assert.equal(await page.locator('script:not([src])').count(), 0);
        await screenshot(page, 'xss-dashboard');
        assert.deepEqual(watch.problems(), []);
        await page.close();
    });
});

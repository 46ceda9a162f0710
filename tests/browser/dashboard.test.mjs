// The dashboard: deploy an Agent Studio export from a file, see the key once, execute the
// workflow from its panel and see the execution in its history.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
    callApi, chromiumMissing, fixturesDir, launchBrowser, screenshot, startRunner, watchPage,
} from './harness.mjs';

describe('dashboard', { skip: chromiumMissing }, () => {
    let runner;
    let browser;

    before(async () => {
        runner = await startRunner();
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await runner?.stop();
    });

    test('is served with security headers at / and /dashboard', async () => {
        for (const route of ['/', '/dashboard']) {
            const page = await callApi(runner.baseUrl, 'GET', route);
            assert.equal(page.status, 200, route);
            assert.match(page.data, /<title>Clara Agent Runner<\/title>/);
            assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
            assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
            assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
        }
    });

    test('deploys from a file, shows the key once, executes and lists the execution', async () => {
        const page = await browser.context.newPage();
        const watch = watchPage(page, { expectedStatuses: [400] });  // the rejected deploy
        await page.goto(`${runner.baseUrl}/dashboard`);
        await page.locator('#health-pill').filter({ hasText: 'healthy' }).waitFor();
        await page.locator('#empty-state').filter({ hasText: 'No workflows deployed yet' }).waitFor();

        // A rejected export shows the server's validation errors.
        await page.locator('#deploy-open').click();
        await page.locator('#deploy-name').fill('Broken');
        await page.locator('#deploy-json').fill('{"nodes": [{"id": "x", "type": "teleport"}], "connections": []}');
        await page.locator('#deploy-submit').click();
        await page.locator('#deploy-problems-title').filter({ hasText: 'Validation failed' }).waitFor();
        assert.match(await page.locator('#deploy-problems-list').innerText(), /teleport/);

        // Deploy the Studio's SDK export from a file; the name comes from the export.
        await page.locator('#deploy-name').fill('');
        await page.locator('#deploy-file').setInputFiles(path.join(fixturesDir, 'greeter-sdk-export.json'));
        await page.waitForFunction(() => document.getElementById('deploy-json').value.includes('clara-sdk'));
        assert.equal(await page.locator('#deploy-name').inputValue(), 'Studio Greeter');
        assert.equal(await page.locator('#deploy-description').inputValue(), 'Greets a person by name');
        await page.locator('#deploy-slug').fill('studio-greeter');
        await page.locator('#deploy-submit').click();

        const keySection = page.locator('#key-section');
        await keySection.waitFor({ state: 'visible' });
        const key = await page.locator('#key-value').innerText();
        assert.match(key, /^clara_sk_[0-9a-f]{64}$/);
        assert.equal(await page.locator('#key-workflow').innerText(), 'Studio Greeter');
        await screenshot(page, 'dashboard-key');
        await page.locator('#key-dismiss').click();
        await keySection.waitFor({ state: 'hidden' });
        // Shown once: gone from the page after dismissal.
        assert.equal(await page.locator('#key-value').textContent(), '');
        assert.equal(await page.getByText(key).count(), 0);

        const row = page.locator('#deployments-body tr[data-slug="studio-greeter"]');
        await row.waitFor();
        assert.match(await row.innerText(), /Studio Greeter/);

        // Open the panel, execute with the example body adjusted, see the outputs.
        await row.getByRole('button', { name: /Open/ }).click();
        const panel = page.locator('#workflow-panel');
        await panel.waitFor({ state: 'visible' });
        assert.equal(await page.locator('#panel-title').innerText(), 'Studio Greeter');
        assert.equal(await page.locator('#panel-docs').getAttribute('href'),
            '/api/workflows/studio-greeter/docs');
        // The body is prefilled from the OpenAPI example once the schema has loaded.
        await page.locator('#panel-input-schema').filter({ hasText: 'properties' }).waitFor({ state: 'attached' });
        assert.match(await page.locator('#execute-body').inputValue(), /"name"/);
        await page.locator('#execute-key').fill(key);
        await page.locator('#execute-body').fill('{"name": "Grace"}');
        await page.locator('#execute-submit').click();
        await page.locator('#execute-status').filter({ hasText: 'Success' }).waitFor();
        assert.match(await page.locator('#execute-output').innerText(), /Welcome, Grace/);

        // The execution appears in the workflow's history and in the list's statistics.
        const execution = page.locator('#executions-body tr').first();
        await execution.waitFor();
        assert.match(await execution.innerText(), /success/);
        assert.match(await execution.innerText(), /Welcome, Grace/);
        await row.locator('td').nth(1).filter({ hasText: '1' }).waitFor();
        assert.match(await row.innerText(), /100%/);
        await screenshot(page, 'dashboard-panel');
        await page.locator('#executions-table').scrollIntoViewIfNeeded();
        await screenshot(page, 'dashboard-executions');

        await page.locator('#panel-close').click();
        await panel.waitFor({ state: 'hidden' });
        await page.locator('#search').fill('nothing-matches-this');
        await page.locator('#empty-state').filter({ hasText: 'No workflow matches' }).waitFor();
        await page.locator('#search').fill('studio');
        await row.waitFor();
        await screenshot(page, 'dashboard');
        assert.deepEqual(watch.problems(), []);
        await page.close();
    });

    test('regenerates the key and deletes the workflow from its panel', async () => {
        const workflow = JSON.parse(readFileSync(path.join(fixturesDir, 'greeter.json'), 'utf8'));
        const deployed = await callApi(runner.baseUrl, 'POST', '/api/deploy',
            { body: { name: 'Short Lived', slug: 'short-lived', workflow } });
        assert.equal(deployed.status, 201);
        const oldKey = deployed.data.deployment.apiKey;

        const page = await browser.context.newPage();
        const watch = watchPage(page);
        await page.goto(`${runner.baseUrl}/`);
        const row = page.locator('#deployments-body tr[data-slug="short-lived"]');
        await row.getByRole('button', { name: /Open/ }).click();
        await page.locator('#execute-key').fill(oldKey);

        await page.locator('#regenerate-key').click();
        await page.locator('#panel-key').waitFor({ state: 'visible' });
        const newKey = await page.locator('#panel-key-value').innerText();
        assert.match(newKey, /^clara_sk_[0-9a-f]{64}$/);
        assert.notEqual(newKey, oldKey);
        assert.equal(await page.locator('#execute-key').inputValue(), newKey);
        const withOld = await callApi(runner.baseUrl, 'GET', '/api/workflows/short-lived/executions',
            { key: oldKey });
        assert.equal(withOld.status, 401);
        const withNew = await callApi(runner.baseUrl, 'GET', '/api/workflows/short-lived/executions',
            { key: newKey });
        assert.equal(withNew.status, 200);

        // Deleting takes a second click, so one stray click does nothing.
        await page.locator('#delete-workflow').click();
        assert.equal(await page.locator('#delete-workflow').innerText(), 'Click again to delete');
        assert.equal(await row.count(), 1);
        await page.locator('#delete-workflow').click();
        await page.locator('#workflow-panel').waitFor({ state: 'hidden' });
        await row.waitFor({ state: 'detached' });
        const gone = await callApi(runner.baseUrl, 'GET', '/api/workflows/short-lived');
        assert.equal(gone.status, 404);
        assert.deepEqual(watch.problems(), []);
        await page.close();
    });
});

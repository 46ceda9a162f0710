// The workflow's Swagger UI page, served with its assets by the runner: a person authorizes
// with the workflow key, tries the execute operation and reads the outputs in the page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
    callApi, chromiumMissing, deploy, fixturesDir, launchBrowser, screenshot, startRunner, watchPage,
} from './harness.mjs';

const greeter = JSON.parse(readFileSync(path.join(fixturesDir, 'greeter.json'), 'utf8'));

describe('workflow documentation page', { skip: chromiumMissing }, () => {
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

    test('serves the page with a restrictive policy and only local assets', async () => {
        await deploy(runner.baseUrl, 'Header Check', greeter, 'header-check');
        const page = await callApi(runner.baseUrl, 'GET', '/api/workflows/header-check/docs');
        assert.equal(page.status, 200);
        assert.match(page.headers.get('content-type'), /^text\/html/);
        const csp = page.headers.get('content-security-policy');
        assert.match(csp, /script-src 'self'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
        assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
        assert.match(page.data, /<title>Header Check - API Documentation<\/title>/);
        assert.doesNotMatch(page.data, /unpkg|jsdelivr|cdn\./);

        const scripts = [...page.data.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
        assert.equal(scripts.length, 3);
        for (const src of scripts) {
            assert.match(src, /^\/assets\/.+\?v=[0-9a-f]{16}$/);
            const asset = await fetch(runner.baseUrl + src);
            assert.equal(asset.status, 200, src);
            assert.match(asset.headers.get('content-type'), /^text\/javascript/);
            assert.match(asset.headers.get('cache-control'), /immutable/);
            const revalidated = await fetch(runner.baseUrl + src,
                { headers: { 'If-None-Match': asset.headers.get('etag') } });
            assert.equal(revalidated.status, 304, src);
        }

        const missing = await callApi(runner.baseUrl, 'GET', '/api/workflows/no-such-flow/docs');
        assert.equal(missing.status, 404);
        assert.match(missing.data, /<h1>Workflow not found<\/h1>/);
    });

    test('authorize, try it out and execute show the outputs', async () => {
        const deployment = await deploy(runner.baseUrl, 'Greeter', greeter, 'greeter');
        const page = await browser.context.newPage();
        const watch = watchPage(page);
        await page.goto(`${runner.baseUrl}/api/workflows/greeter/docs`);
        assert.equal(await page.title(), 'Greeter - API Documentation');
        await page.locator('.swagger-ui .info .title').filter({ hasText: 'Greeter' }).waitFor();

        // Authorize with the workflow key (HTTP bearer scheme).
        await page.locator('.scheme-container button.authorize').click();
        const modal = page.locator('.modal-ux');
        await modal.locator('input[type=text], input[type=password]').first().fill(deployment.apiKey);
        await modal.locator('button.authorize').click();
        await modal.locator('button.btn-done').click();
        await modal.waitFor({ state: 'detached' });
        await page.locator('.scheme-container button.authorize.locked').waitFor();
        await screenshot(page, 'workflow-docs');

        // Open the execute operation, try it out with an input, execute.
        const operation = page.locator('.opblock-post').first();
        await operation.locator('.opblock-summary').first().click();
        await operation.locator('button.try-out__btn').click();
        await operation.locator('textarea.body-param__text').fill('{"name": "Ada Lovelace"}');
        await operation.locator('button.execute').click();

        const live = operation.locator('.live-responses-table');
        await live.locator('.response-col_status').filter({ hasText: '200' }).first().waitFor();
        await live.getByText('Hello, Ada Lovelace').first().waitFor();
        const curl = await operation.locator('.curl-command').innerText();
        assert.match(curl, /Authorization: Bearer clara_sk_[0-9a-f]{64}/);
        await live.scrollIntoViewIfNeeded();
        await screenshot(page, 'workflow-docs-response');

        // The execution really happened on the server.
        const history = await callApi(runner.baseUrl, 'GET', '/api/workflows/greeter/executions',
            { key: deployment.apiKey });
        assert.equal(history.status, 200);
        assert.equal(history.data.executions.length, 1);
        assert.deepEqual(history.data.executions[0].outputs, { greeting: 'Hello, Ada Lovelace' });
        assert.deepEqual(watch.problems(), []);
        await page.close();
    });

    test('the runner API page documents the service', async () => {
        const page = await browser.context.newPage();
        const watch = watchPage(page);
        await page.goto(`${runner.baseUrl}/api/docs`);
        assert.equal(await page.title(), 'Clara Agent Runner API - API Documentation');
        await page.locator('.swagger-ui .info .title').filter({ hasText: 'Clara Agent Runner API' }).waitFor();
        await page.locator('.opblock-summary-path').filter({ hasText: '/api/deploy' }).first().waitFor();
        const info = await callApi(runner.baseUrl, 'GET', '/api/info');
        assert.equal(info.data.documentation, `${runner.baseUrl}/api/docs`);
        await screenshot(page, 'runner-docs');
        assert.deepEqual(watch.problems(), []);
        await page.close();
    });
});

// The OpenAPI documents the runner serves pass Redocly's linter (the locally installed
// @redocly/cli, no network) with no error: the runner's own and a deployed workflow's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import {
    callApi, deploy, fixturesDir, repoRoot, sharedFixturesDir, startRunner,
} from './harness.mjs';

const run = promisify(execFile);
const redoclyCli = path.join(repoRoot, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const config = path.join(repoRoot, 'tests', 'browser', 'redocly.yaml');

/** Lints `document` (written to a temp file); resolves to Redocly's JSON report. */
async function lint(document, name, dir) {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(document, null, 2));
    const result = await run(process.execPath,
        [redoclyCli, 'lint', '--config', config, '--format', 'json', file], {
            cwd: dir,
            maxBuffer: 16 * 1024 * 1024,
            timeout: 120000,
            // No telemetry and no update check: the test must not touch the network.
            env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        }).catch((error) => error);  // a non-zero exit (errors found) still carries the report
    const start = result.stdout.indexOf('{');
    assert.ok(start >= 0, `no JSON report from redocly:\n${result.stdout}\n${result.stderr}`);
    return JSON.parse(result.stdout.slice(start));
}

function describeProblems(report) {
    return report.problems
        .filter((problem) => problem.severity === 'error')
        .map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location?.[0]?.pointer}`)
        .join('\n');
}

describe('OpenAPI documents', () => {
    let runner;
    let dir;

    before(async () => {
        assert.ok(existsSync(redoclyCli), `${redoclyCli} is missing: run npm ci`);
        // Custom nodes on, so that every shared fixture deploys (one defines a custom node).
        runner = await startRunner({ ENABLE_CUSTOM_NODES: 'true' });
        dir = mkdtempSync(path.join(os.tmpdir(), 'clara-lint-'));
    });

    after(async () => {
        await runner?.stop();
        if (dir) {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('the runner API document lints without errors', async () => {
        const served = await callApi(runner.baseUrl, 'GET', '/api/openapi.json');
        assert.equal(served.status, 200);
        assert.equal(served.data.openapi, '3.0.3');
        assert.equal(served.data.servers[0].url, runner.baseUrl);
        const report = await lint(served.data, 'runner-api', dir);
        assert.equal(report.totals.errors, 0, describeProblems(report));
    });

    test('a deployed workflow document lints without errors', async () => {
        const workflow = JSON.parse(readFileSync(path.join(fixturesDir, 'greeter-sdk-export.json'), 'utf8'));
        await deploy(runner.baseUrl, 'Lint Greeter', workflow, 'lint-greeter');
        const served = await callApi(runner.baseUrl, 'GET', '/api/workflows/lint-greeter/schema');
        assert.equal(served.status, 200);
        assert.ok(served.data.paths['/api/workflows/lint-greeter/execute']);
        const report = await lint(served.data, 'lint-greeter', dir);
        assert.equal(report.totals.errors, 0, describeProblems(report));
    });

    test('every shared fixture workflow deploys and its document lints without errors', {
        skip: sharedFixturesDir ? false : '../shared/fixtures/workflows is absent',
    }, async () => {
        const files = readdirSync(sharedFixturesDir).filter((name) => name.endsWith('.json')).sort();
        assert.ok(files.length > 0, `no workflows in ${sharedFixturesDir}`);
        const documents = [];
        for (const [index, file] of files.entries()) {
            const workflow = JSON.parse(readFileSync(path.join(sharedFixturesDir, file), 'utf8'));
            const slug = `lint-fixture-${index}`;
            const deployed = await deploy(runner.baseUrl, `Lint ${file}`, workflow, slug);
            assert.ok(deployed, `${file} did not deploy`);
            const served = await callApi(runner.baseUrl, 'GET', `/api/workflows/${slug}/schema`);
            assert.equal(served.status, 200, `${file}: schema ${served.status}`);
            documents.push([served.data, slug]);
        }
        for (const [document, slug] of documents) {
            const report = await lint(document, slug, dir);
            assert.equal(report.totals.errors, 0, `${slug}: ${describeProblems(report)}`);
        }
    });

    test('a lint error is reported (the check can fail)', async () => {
        // A path parameter that no operation declares: an error of the recommended rules.
        const broken = {
            openapi: '3.0.3',
            info: { title: 'x', version: '1' },
            paths: { '/a/{id}': { get: { responses: {} } } },
        };
        const report = await lint(broken, 'broken', dir);
        assert.ok(report.totals.errors > 0);
    });
});

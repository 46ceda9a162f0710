// Shared helpers of the browser tests: start the real runner binary on a free port with a
// temporary SQLite file, call its API, and drive Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = path.join(repoRoot, 'tests', 'browser', 'fixtures');
export const screenshotsDir = path.join(repoRoot, 'tests', 'browser', 'screenshots');

export const chromiumPath = '/usr/bin/chromium';

/** The workflows exported from Agent Studio beside the checkout, or null when absent. */
export const sharedFixturesDir = (() => {
    const dir = path.join(repoRoot, '..', 'shared', 'fixtures', 'workflows');
    return existsSync(dir) ? dir : null;
})();

/** Why the browser tests cannot run here, or false when they can (for `test(..., {skip})`). */
export const chromiumMissing = existsSync(chromiumPath)
    ? false
    : `${chromiumPath} is absent: install Debian's chromium package ` +
      '(scripts/install-deps.sh does) to run the browser tests';

const kStartTimeoutMs = 20000;
const kStopTimeoutMs = 10000;

function runnerBinary() {
    const binary = process.env.CLARA_BINARY || path.join(repoRoot, 'build', 'clara-runner');
    if (!existsSync(binary)) {
        throw new Error(`runner binary not found at ${binary}; build it or set CLARA_BINARY`);
    }
    return binary;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `clara-runner serve` on a free loopback port with a fresh SQLite database.
 * Resolves to {baseUrl, stop(), output()} once /health answers 200.
 */
export async function startRunner(extraEnv = {}) {
    const binary = runnerBinary();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clara-browser-'));
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(binary, ['serve'], {
        cwd: dir,  // no stray .env is read
        env: {
            ...process.env,
            HOST: '127.0.0.1',
            PORT: String(port),
            BASE_URL: baseUrl,
            DATABASE_URL: `sqlite:${path.join(dir, 'clara.db')}`,
            LOG_LEVEL: 'warn',
            IO_THREADS: '2',
            ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    let exited = null;
    const exitPromise = new Promise((resolve) => {
        child.on('exit', (code, signal) => {
            exited = { code, signal };
            resolve(exited);
        });
    });

    const stop = async () => {
        if (!exited) {
            child.kill('SIGTERM');
            const timer = delay(kStopTimeoutMs).then(() => 'timeout');
            if ((await Promise.race([exitPromise, timer])) === 'timeout') {
                child.kill('SIGKILL');
                await exitPromise;
            }
        }
        rmSync(dir, { recursive: true, force: true });
    };

    const deadline = Date.now() + kStartTimeoutMs;
    while (Date.now() < deadline) {
        if (exited) {
            await stop();
            throw new Error(`runner exited early (${JSON.stringify(exited)}):\n${output}`);
        }
        try {
            const response = await fetch(`${baseUrl}/health`);
            if (response.status === 200) {
                return { baseUrl, stop, output: () => output };
            }
        } catch {
            // Not listening yet.
        }
        await delay(100);
    }
    await stop();
    throw new Error(`runner did not become healthy within ${kStartTimeoutMs} ms:\n${output}`);
}

/** Calls the runner's API; resolves to {status, headers, data} (data parsed when JSON). */
export async function callApi(baseUrl, method, apiPath, { body, key } = {}) {
    const headers = { Accept: 'application/json' };
    if (key) {
        headers.Authorization = `Bearer ${key}`;
    }
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(baseUrl + apiPath, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = text;
    if ((response.headers.get('content-type') || '').includes('json')) {
        data = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, data };
}

/** Deploys `workflow` under `name`; resolves to the 201 body's `deployment`. */
export async function deploy(baseUrl, name, workflow, slug) {
    const body = { name, workflow };
    if (slug) {
        body.slug = slug;
    }
    const result = await callApi(baseUrl, 'POST', '/api/deploy', { body });
    if (result.status !== 201) {
        throw new Error(`deploy of ${name} failed: ${result.status} ${JSON.stringify(result.data)}`);
    }
    return result.data.deployment;
}

/**
 * Launches Debian's Chromium headless with a fresh profile. Resolves to {context, close()}.
 * Loaded lazily so the lint test runs where playwright-core's browser is absent.
 */
export async function launchBrowser() {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(path.join(os.tmpdir(), 'clara-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
        ],
    });
    return {
        context,
        close: async () => {
            await context.close();
            rmSync(profile, { recursive: true, force: true });
        },
    };
}

/**
 * Records what must not happen on a page: dialogs (alert/confirm: an injected script ran),
 * uncaught exceptions and console errors (CSP violations are reported there). Chromium also
 * logs every HTTP error response as a console error; those with a status in `expectedStatuses`
 * (a request the test makes fail on purpose) are not problems.
 * `problems()` lists them; dialogs are dismissed so the page does not hang.
 */
export function watchPage(page, { expectedStatuses = [] } = {}) {
    const problems = [];
    const expected = expectedStatuses.map(
        (status) => `Failed to load resource: the server responded with a status of ${status} `);
    page.on('dialog', async (dialog) => {
        problems.push(`dialog opened (${dialog.type()}): ${dialog.message()}`);
        await dialog.dismiss().catch(() => {});
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
        const text = message.text();
        if (message.type() === 'error' && !expected.some((prefix) => text.startsWith(prefix))) {
            problems.push(`console error: ${text} (${message.location().url})`);
        }
    });
    return { problems: () => problems.slice() };
}

/** Saves a screenshot of the viewport (or the whole page) under tests/browser/screenshots/. */
export async function screenshot(page, name, { fullPage = false } = {}) {
    mkdirSync(screenshotsDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage });
}

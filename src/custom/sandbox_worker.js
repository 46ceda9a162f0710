'use strict';
// Runs the code of custom nodes (nodes.md § 23) for the runner. The runner starts this script
// under Node's permission model (no file writes, no child processes, no workers; reads of this
// file only), with an empty environment and a heap limit, and talks to it with one JSON message
// per line on stdin/stdout. Each call runs in a fresh `node:vm` context that holds no object of
// this realm: data crosses as JSON text and the one bridge function takes and returns only
// primitives, so user code cannot reach `process`, `require` or this script's functions.
//
// Runner -> worker:
//   {"type":"call","id":N,"code":"...","inputs":{},"properties":{},"nodeName":"...",
//    "timeoutMs":T,"fetch":bool}
//   {"type":"fetchResult","id":N,"fetchId":K,"status":200,"statusText":"OK","url":"...",
//    "headers":[["name","value"]],"body":"<base64>"}   or   {..., "error":"message"}
// Worker -> runner:
//   {"type":"ready","version":"v20..."}
//   {"type":"log","id":N,"level":"info|debug|warn|error","message":"..."}
//   {"type":"fetch","id":N,"fetchId":K,"url":"...","method":"GET","headers":[[k,v]],"body":""}
//   {"type":"result","id":N,"ok":true,"value":<json>}   (no "value": execute returned undefined)
//   {"type":"result","id":N,"ok":false,"error":"message","timedOut":bool}

const vm = require('node:vm');
const readline = require('node:readline');
const { Buffer } = require('node:buffer');
const { performance } = require('node:perf_hooks');

const kMaxResultBytes = 1024 * 1024;
const kMaxLogChars = 16 * 1024;
const kMaxLogLines = 1000;
const kMaxTimers = 1000;
const kMaxFetches = 50;
const kMaxFetchBodyBytes = 2 * 1024 * 1024;
const kMaxCachedScripts = 32;

const output = process.stdout;
const input = process.stdin;

// Take away from this realm what the permission model leaves open, so that even code that got
// hold of it could neither signal other processes nor load modules or open connections.
function harden() {
    const deny = () => {
        throw new Error('not available in the custom node sandbox');
    };
    for (const name of ['kill', '_kill', 'binding', '_linkedBinding', 'dlopen', 'mainModule']) {
        try {
            Object.defineProperty(process, name,
                                  { value: deny, writable: false, configurable: false });
        } catch (_) {
            // a property that cannot be replaced stays as the permission model left it
        }
    }
    for (const name of ['fetch', 'WebSocket', 'EventSource', 'Request', 'Response', 'Headers']) {
        try {
            delete globalThis[name];
        } catch (_) {
            // not present in this Node version
        }
    }
}

// Compiled once and run in every new context: installs console, context helpers, timers, fetch
// and the two entry points, keeping the bridge in a closure that user code cannot reach.
const kPrelude = `(function install(bridge, fetchEnabled) {
    'use strict';
    const G = globalThis;
    const stringify = JSON.stringify;
    const parse = JSON.parse;
    const toText = String;
    const P = Promise;
    const define = Object.defineProperty;
    const freeze = Object.freeze;
    const isArray = Array.isArray;
    const keys = Object.keys;
    const ErrorType = Error;
    const TypeErrorType = TypeError;

    // A failure inside the bridge (even a stack overflow on entry) never hands its error object
    // to user code: it becomes this primitive.
    function host(kind, a, b) {
        try {
            return bridge(kind, a, b);
        } catch (_) {
            throw 'custom node sandbox: host call failed';
        }
    }

    function describe(error) {
        try {
            if (error !== null && typeof error === 'object' && typeof error.message === 'string') {
                return error.message;
            }
            return toText(error);
        } catch (_) {
            return 'unknown error';
        }
    }

    function formatOne(value) {
        if (typeof value === 'string') {
            return value;
        }
        if (value !== null && typeof value === 'object' && value instanceof ErrorType) {
            return describe(value);
        }
        try {
            const text = stringify(value);
            return text === undefined ? toText(value) : text;
        } catch (_) {
            return describe(value);
        }
    }

    function format(args) {
        let text = '';
        for (let i = 0; i < args.length; ++i) {
            text += (i > 0 ? ' ' : '') + formatOne(args[i]);
        }
        return text;
    }

    function logger(level) {
        return function (...args) {
            host('log', level, format(args));
        };
    }

    const console = freeze({
        log: logger('info'),
        info: logger('info'),
        debug: logger('debug'),
        warn: logger('warn'),
        error: logger('error'),
    });
    define(G, 'console', { value: console, writable: true, configurable: true });

    const timers = new Map();
    let nextTimer = 1;
    define(G, 'setTimeout', {
        value: function setTimeout(callback, delay, ...args) {
            if (typeof callback !== 'function') {
                throw new TypeErrorType('setTimeout expects a function');
            }
            const id = nextTimer++;
            const ms = Number(delay);
            if (host('timer', id, ms > 0 ? ms : 0) !== true) {
                throw new ErrorType('too many pending timers');
            }
            timers.set(id, () => callback(...args));
            return id;
        },
        writable: true,
        configurable: true,
    });
    define(G, 'clearTimeout', {
        value: function clearTimeout(id) {
            if (timers.delete(id)) {
                host('clearTimer', id);
            }
        },
        writable: true,
        configurable: true,
    });

    const fetches = new Map();
    let nextFetch = 1;

    function requestHeaders(headers) {
        const list = [];
        if (headers === undefined || headers === null) {
            return list;
        }
        if (isArray(headers)) {
            for (const pair of headers) {
                list.push([toText(pair[0]), toText(pair[1])]);
            }
        } else if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
            headers.forEach((value, name) => list.push([toText(name), toText(value)]));
        } else {
            for (const name of keys(headers)) {
                list.push([name, toText(headers[name])]);
            }
        }
        return list;
    }

    function makeResponse(event) {
        const headerList = event.headers;
        const lookup = (name) => {
            const wanted = toText(name).toLowerCase();
            const values = [];
            for (const pair of headerList) {
                if (pair[0].toLowerCase() === wanted) {
                    values.push(pair[1]);
                }
            }
            return values.length === 0 ? null : values.join(', ');
        };
        const body = event.body;
        return freeze({
            ok: event.status >= 200 && event.status < 300,
            status: event.status,
            statusText: event.statusText,
            url: event.url,
            redirected: event.redirected === true,
            headers: freeze({
                get: lookup,
                has: (name) => lookup(name) !== null,
                forEach: (callback) => {
                    for (const pair of headerList) {
                        callback(pair[1], pair[0]);
                    }
                },
                entries: () => headerList.map((pair) => [pair[0], pair[1]])[Symbol.iterator](),
            }),
            text: () => P.resolve(body),
            json: () => new P((resolve) => resolve(parse(body))),
        });
    }

    if (fetchEnabled) {
        define(G, 'fetch', {
            value: function fetch(url, options) {
                return new P((resolve, reject) => {
                    const o = options === undefined || options === null ? {} : options;
                    const request = {
                        url: toText(url),
                        method: o.method === undefined || o.method === null
                            ? 'GET' : toText(o.method),
                        headers: requestHeaders(o.headers),
                        body: o.body === undefined || o.body === null ? '' : toText(o.body),
                    };
                    const id = nextFetch++;
                    const accepted = host('fetch', id, stringify(request));
                    if (accepted !== true) {
                        reject(new TypeErrorType('fetch failed: ' + toText(accepted)));
                        return;
                    }
                    fetches.set(id, { resolve, reject });
                });
            },
            writable: true,
            configurable: true,
        });
    }

    function deliver() {
        const text = host('event');
        if (typeof text !== 'string' || text === '') {
            return;
        }
        const event = parse(text);
        if (event.kind === 'timer') {
            const callback = timers.get(event.id);
            if (callback !== undefined) {
                timers.delete(event.id);
                try {
                    callback();
                } catch (error) {
                    host('log', 'error',
                         'uncaught exception in a timer callback: ' + describe(error));
                }
            }
        } else if (event.kind === 'fetch') {
            const pending = fetches.get(event.id);
            if (pending !== undefined) {
                fetches.delete(event.id);
                if (typeof event.error === 'string') {
                    pending.reject(new TypeErrorType('fetch failed: ' + event.error));
                } else {
                    pending.resolve(makeResponse(event));
                }
            }
        }
    }

    let settled = false;
    function succeed(value) {
        if (settled) {
            return;
        }
        settled = true;
        let text;
        try {
            text = value === undefined ? undefined : stringify(value);
        } catch (error) {
            host('error', 'the result is not serialisable as JSON: ' + describe(error));
            return;
        }
        host('result', text);
    }
    function fail(error) {
        if (settled) {
            return;
        }
        settled = true;
        host('error', describe(error));
    }

    function start(execute) {
        try {
            if (typeof execute !== 'function') {
                throw new TypeErrorType('executionCode does not define a function named execute');
            }
            const args = parse(host('args'));
            const log = logger('info');
            const context = freeze({
                log: log,
                info: log,
                warn: logger('warn'),
                error: logger('error'),
                debug: logger('debug'),
                nodeName: args.nodeName,
            });
            P.resolve(execute(args.inputs, args.properties, context)).then(succeed, fail);
        } catch (error) {
            fail(error);
        }
    }

    const hidden = { writable: false, configurable: false, enumerable: false };
    define(G, '__claraStart', { value: start, ...hidden });
    define(G, '__claraDeliver', { value: deliver, ...hidden });
    return describe;
})`;

const preludeScript = new vm.Script(kPrelude, { filename: 'custom-node-prelude.js' });
const startScript = new vm.Script(
    "__claraStart(typeof execute === 'function' ? execute : undefined)",
    { filename: 'custom-node-start.js' });
const deliverScript = new vm.Script('__claraDeliver()', { filename: 'custom-node-event.js' });
const scriptCache = new Map();
const calls = new Map();

function send(message) {
    output.write(JSON.stringify(message) + '\n');
}

function compileUserCode(code) {
    const cached = scriptCache.get(code);
    if (cached !== undefined) {
        return cached;
    }
    const script = new vm.Script(code, { filename: 'custom-node.js' });
    if (scriptCache.size >= kMaxCachedScripts) {
        scriptCache.delete(scriptCache.keys().next().value);
    }
    scriptCache.set(code, script);
    return script;
}

// Ends a call once: its timers stop and its context is dropped.
function close(call) {
    if (call.finished) {
        return false;
    }
    call.finished = true;
    clearTimeout(call.watchdog);
    for (const handle of call.timers.values()) {
        clearTimeout(handle);
    }
    call.timers.clear();
    call.events.length = 0;
    call.context = null;
    calls.delete(call.id);
    return true;
}

function finish(call, message) {
    if (close(call)) {
        send(message);
    }
}

// `valueText` is JSON.stringify output, so it goes into the line as it is.
function finishWithValue(call, valueText) {
    if (close(call)) {
        const id = JSON.stringify(call.id);
        output.write(`{"type":"result","id":${id},"ok":true,"value":${valueText}}\n`);
    }
}

function fail(call, error, timedOut) {
    finish(call,
           { type: 'result', id: call.id, ok: false, error: error, timedOut: timedOut === true });
}

function remaining(call) {
    return Math.floor(call.deadline - performance.now());
}

// Every entry into the context goes through here, so the microtasks it queues run inside the
// same timeout (microtaskMode 'afterEvaluate').
function enter(call, script) {
    const budget = remaining(call);
    if (budget <= 0) {
        fail(call, 'Execution timeout', true);
        return;
    }
    try {
        script.runInContext(call.context, { timeout: budget, breakOnSigint: false });
    } catch (thrown) {
        if (call.finished) {
            return;
        }
        // Our own entry scripts catch everything user code throws; what reaches here is the vm
        // timeout or an exception of the user's top-level code, both objects of the context
        // (the vm creates its timeout error there). They are only read, never handed back.
        let timedOut = remaining(call) <= 0;
        try {
            timedOut = timedOut || (thrown !== null && typeof thrown === 'object' &&
                                    thrown.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT');
        } catch (_) {
            // a throwing getter: not a timeout
        }
        if (timedOut) {
            fail(call, 'Execution timeout', true);
            return;
        }
        let message = 'unknown error';
        try {
            const described = call.describe(thrown);
            if (typeof described === 'string') {
                message = described;
            }
        } catch (_) {
            // keep the generic message
        }
        fail(call, message, false);
    }
}

function truncate(text, limit) {
    return text.length <= limit ? text : text.slice(0, limit) + '… (truncated)';
}

// The only function user code can make this realm run. It accepts and returns primitives only
// and never throws.
function makeBridge(call) {
    return function bridge(kind, a, b) {
        try {
            if (call.finished || typeof kind !== 'string') {
                return undefined;
            }
            switch (kind) {
                case 'args':
                    return call.args;
                case 'log':
                    if (typeof a !== 'string' || typeof b !== 'string') {
                        return undefined;
                    }
                    if (call.logLines < kMaxLogLines) {
                        send({ type: 'log', id: call.id, level: a,
                               message: truncate(b, kMaxLogChars) });
                    } else if (call.logLines === kMaxLogLines) {
                        send({ type: 'log', id: call.id, level: 'warn',
                               message: `log limit of ${kMaxLogLines} lines reached; ` +
                                        'further lines dropped' });
                    }
                    call.logLines += 1;
                    return undefined;
                case 'timer': {
                    if (typeof a !== 'number' || typeof b !== 'number' ||
                        call.timers.size >= kMaxTimers) {
                        return false;
                    }
                    const delay = Math.min(Math.max(0, b), Math.max(0, remaining(call)));
                    const handle = setTimeout(() => {
                        call.timers.delete(a);
                        if (!call.finished) {
                            call.events.push(JSON.stringify({ kind: 'timer', id: a }));
                            enter(call, deliverScript);
                        }
                    }, delay);
                    call.timers.set(a, handle);
                    return true;
                }
                case 'clearTimer':
                    if (typeof a === 'number' && call.timers.has(a)) {
                        clearTimeout(call.timers.get(a));
                        call.timers.delete(a);
                    }
                    return undefined;
                case 'fetch': {
                    if (typeof a !== 'number' || typeof b !== 'string') {
                        return 'invalid request';
                    }
                    if (!call.fetchEnabled) {
                        return 'fetch is disabled (set CUSTOM_NODE_FETCH=true)';
                    }
                    if (call.fetchCount >= kMaxFetches) {
                        return `at most ${kMaxFetches} fetch calls per execution`;
                    }
                    const request = JSON.parse(b);
                    if (Buffer.byteLength(request.body, 'utf8') > kMaxFetchBodyBytes) {
                        return 'the request body is larger than 2 MiB';
                    }
                    call.fetchCount += 1;
                    send({ type: 'fetch', id: call.id, fetchId: a, url: request.url,
                           method: request.method, headers: request.headers, body: request.body });
                    return true;
                }
                case 'event':
                    return call.events.length === 0 ? '' : call.events.shift();
                case 'result': {
                    if (a === undefined) {
                        finish(call, { type: 'result', id: call.id, ok: true });
                        return undefined;
                    }
                    if (typeof a !== 'string') {
                        return undefined;
                    }
                    if (Buffer.byteLength(a, 'utf8') > kMaxResultBytes) {
                        fail(call, 'the result is larger than 1 MiB');
                        return undefined;
                    }
                    finishWithValue(call, a);
                    return undefined;
                }
                case 'error':
                    fail(call, typeof a === 'string' ? a : 'unknown error');
                    return undefined;
                default:
                    return undefined;
            }
        } catch (_) {
            return undefined;
        }
    };
}

function startCall(message) {
    const call = {
        id: message.id,
        args: JSON.stringify({
            inputs: message.inputs ?? {},
            properties: message.properties ?? {},
            nodeName: typeof message.nodeName === 'string' ? message.nodeName : '',
        }),
        fetchEnabled: message.fetch === true,
        deadline: performance.now() + Math.max(1, Number(message.timeoutMs) || 30000),
        context: null,
        describe: null,
        timers: new Map(),
        events: [],
        logLines: 0,
        fetchCount: 0,
        finished: false,
        watchdog: null,
    };
    calls.set(call.id, call);
    // A call waiting on a promise that never settles still ends at its deadline.
    call.watchdog = setTimeout(() => fail(call, 'Execution timeout', true), remaining(call));

    let script;
    try {
        script = compileUserCode(String(message.code ?? ''));
    } catch (error) {
        fail(call, `${error.name}: ${error.message}`);
        return;
    }
    call.context = vm.createContext(Object.create(null), {
        name: 'custom node',
        codeGeneration: { strings: true, wasm: false },
        microtaskMode: 'afterEvaluate',
    });
    const install = preludeScript.runInContext(call.context);
    call.describe = install(makeBridge(call), call.fetchEnabled);
    enter(call, script);
    if (!call.finished) {
        enter(call, startScript);
    }
}

function fetchResult(message) {
    const call = calls.get(message.id);
    if (call === undefined || call.finished) {
        return;
    }
    let event;
    if (typeof message.error === 'string') {
        event = { kind: 'fetch', id: message.fetchId, error: message.error };
    } else {
        event = {
            kind: 'fetch',
            id: message.fetchId,
            status: message.status,
            statusText: message.statusText ?? '',
            url: message.url ?? '',
            redirected: message.redirected === true,
            headers: Array.isArray(message.headers) ? message.headers : [],
            body: Buffer.from(message.body ?? '', 'base64').toString('utf8'),
        };
    }
    call.events.push(JSON.stringify(event));
    enter(call, deliverScript);
}

harden();
// Rejections left unhandled by user code belong to its call; they must not end the worker.
process.on('unhandledRejection', () => {});

const lines = readline.createInterface({ input: input, crlfDelay: Infinity });
lines.on('line', (line) => {
    let message;
    try {
        message = JSON.parse(line);
    } catch (_) {
        return;
    }
    if (message.type === 'call') {
        startCall(message);
    } else if (message.type === 'fetchResult') {
        fetchResult(message);
    }
});
lines.on('close', () => process.exit(0));
send({ type: 'ready', version: process.version });

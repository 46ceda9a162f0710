// The custom node sandbox with real Node.js workers: what code can do, what it cannot, and how
// the pool handles time-outs, crashes, cancellation and shutdown.
#include "custom/node_sandbox.hpp"

#include "sandbox_test_support.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <csignal>

namespace clara::custom {
namespace {
namespace json = boost::json;
using testing::FakeHttpClient;
using testing::IoThreads;
using testing::run_call;

class NodeSandboxTest : public ::testing::Test {
protected:
    std::shared_ptr<NodeSandbox> start(SandboxSettings settings = {},
                                       std::shared_ptr<engine::HttpClient> client = nullptr) {
        sandbox_ = start_node_sandbox(io_.io(), std::move(settings), std::move(client));
        return sandbox_;
    }

    void TearDown() override {
        if (sandbox_) {
            sandbox_->shutdown();
        }
    }

    static SandboxSettings short_timeout(std::chrono::milliseconds timeout) {
        SandboxSettings settings;
        settings.timeout = timeout;
        return settings;
    }

    IoThreads io_;
    engine::ExecutionLimits limits_;
    engine::ExecutionContext ctx_{limits_};
    std::shared_ptr<NodeSandbox> sandbox_;
};

TEST_F(NodeSandboxTest, RunsExecuteWithInputsPropertiesAndContext) {
    auto sandbox = start();
    const auto outcome =
        run_call(*sandbox, ctx_, R"(
        async function execute(inputs, properties, context) {
            const text = inputs.text || '';
            const mode = properties.mode || 'upper';
            const result = mode === 'upper' ? text.toUpperCase() : text.split('').join('-');
            return { result, node: context.nodeName };
        })",
                 json::object{{"text", "hello world"}}, json::object{{"mode", "upper"}});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(*outcome.value, json::parse(R"({"result":"HELLO WORLD","node":"Custom One"})"));
}

TEST_F(NodeSandboxTest, AwaitsAsyncCodeAndTimers) {
    auto sandbox = start();
    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute(inputs) {
            const order = [];
            const wait = (ms, label) => new Promise((resolve) => setTimeout(() => {
                order.push(label); resolve(); }, ms));
            await Promise.all([wait(60, 'slow'), wait(10, 'fast')]);
            const cancelled = setTimeout(() => order.push('never'), 5);
            clearTimeout(cancelled);
            await wait(20, 'last');
            return order;
        })");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(*outcome.value, json::parse(R"(["fast","slow","last"])"));
}

TEST_F(NodeSandboxTest, ReturningUndefinedGivesNoValue) {
    auto sandbox = start();
    const auto outcome = run_call(*sandbox, ctx_, "function execute() {}");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_FALSE(outcome.value.has_value());
}

TEST_F(NodeSandboxTest, ConsoleAndContextLoggingGoToTheExecutionLog) {
    auto sandbox = start();
    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute(inputs, properties, context) {
            console.log('plain', 42, { a: [1, 2] });
            console.warn('careful');
            console.error('broken', new Error('why'));
            context.log('from context');
            context.warn('context warning');
            context.error('context error');
            context.debug('details');
            return 1;
        })");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    std::vector<std::pair<std::string, std::string>> lines;
    for (const auto& entry : ctx_.logs()) {
        EXPECT_EQ(entry.node_id, "custom-1");
        lines.emplace_back(entry.level, entry.message);
    }
    const std::vector<std::pair<std::string, std::string>> expected{
        {"info", R"(plain 42 {"a":[1,2]})"},
        {"warn", "careful"},
        {"warn", "broken why"},
        {"info", "from context"},
        {"warn", "context warning"},
        {"warn", "context error"},
        {"info", "details"}};
    EXPECT_EQ(lines, expected);
}

TEST_F(NodeSandboxTest, SyntaxErrorFailsTheCall) {
    auto sandbox = start();
    const auto outcome = run_call(*sandbox, ctx_, "function execute( { return 1");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error.rfind("SyntaxError: ", 0), 0u) << outcome.error;
    EXPECT_FALSE(outcome.timed_out);
}

TEST_F(NodeSandboxTest, ThrownErrorsAndRejectionsGiveTheirMessage) {
    auto sandbox = start();
    auto outcome = run_call(*sandbox, ctx_, "function execute() { throw new Error('boom'); }");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "boom");

    outcome = run_call(*sandbox, ctx_, "async function execute() { await null; throw 'plain'; }");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "plain");

    outcome = run_call(*sandbox, ctx_, "throw new TypeError('at top level');");
    EXPECT_EQ(outcome.error, "at top level");

    outcome = run_call(*sandbox, ctx_, "const notExecute = 1;");
    EXPECT_EQ(outcome.error, "executionCode does not define a function named execute");
}

TEST_F(NodeSandboxTest, InfiniteLoopTimesOutAndTheWorkerIsReplaced) {
    auto sandbox = start(short_timeout(std::chrono::milliseconds(800)));
    const auto before = sandbox->stats();
    ASSERT_EQ(before.worker_pids.size(), 2u);

    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run_call(*sandbox, ctx_, "function execute() { while (true) {} }");
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "Execution timeout");
    EXPECT_TRUE(outcome.timed_out);
    EXPECT_LT(took, std::chrono::seconds(10));

    const auto next = run_call(*sandbox, ctx_, "function execute() { return 'alive'; }");
    ASSERT_TRUE(next.ok) << next.error;
    EXPECT_EQ(*next.value, "alive");

    const auto after = sandbox->stats();
    EXPECT_EQ(after.workers_killed, before.workers_killed + 1);
    EXPECT_EQ(after.workers_started, before.workers_started + 1);
    EXPECT_EQ(after.worker_pids.size(), 2u);
    // One of the two original workers is gone.
    const auto survivors =
        std::count_if(before.worker_pids.begin(), before.worker_pids.end(), [&](pid_t pid) {
            return std::find(after.worker_pids.begin(), after.worker_pids.end(), pid) !=
                   after.worker_pids.end();
        });
    EXPECT_EQ(survivors, 1);
}

TEST_F(NodeSandboxTest, LoopAfterAnAwaitAndNeverSettlingPromisesTimeOut) {
    auto sandbox = start(short_timeout(std::chrono::milliseconds(600)));
    auto outcome = run_call(*sandbox, ctx_,
                            "async function execute() { await new Promise(r => setTimeout(r, 10)); "
                            "for (;;) {} }");
    EXPECT_EQ(outcome.error, "Execution timeout");
    outcome = run_call(*sandbox, ctx_, "function execute() { return new Promise(() => {}); }");
    EXPECT_EQ(outcome.error, "Execution timeout");
    outcome = run_call(*sandbox, ctx_, "function execute() { return 2; }");
    EXPECT_TRUE(outcome.ok) << outcome.error;
}

TEST_F(NodeSandboxTest, ExecutionDeadlineShortensTheTimeLimit) {
    auto sandbox = start();  // 30 s limit
    ctx_.set_deadline(std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
    const auto started = std::chrono::steady_clock::now();
    const auto outcome = run_call(*sandbox, ctx_, "function execute() { while (true) {} }");
    EXPECT_EQ(outcome.error, "Execution timeout");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST_F(NodeSandboxTest, MemoryBlowUpFailsTheCallAndTheWorkerIsReplaced) {
    auto sandbox = start(short_timeout(std::chrono::seconds(45)));
    const auto before = sandbox->stats();
    const auto outcome = run_call(*sandbox, ctx_, R"(
        function execute() {
            const hoard = [];
            for (;;) { hoard.push(new Array(100000).fill(hoard.length)); }
        })");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "Memory limit exceeded (64 MiB)");
    EXPECT_FALSE(outcome.timed_out);

    const auto next = run_call(*sandbox, ctx_, "function execute() { return 3; }");
    ASSERT_TRUE(next.ok) << next.error;
    const auto after = sandbox->stats();
    EXPECT_EQ(after.workers_crashed, before.workers_crashed + 1);
    EXPECT_EQ(after.worker_pids.size(), 2u);
}

TEST_F(NodeSandboxTest, CodeSeesNoRequireProcessEnvironmentOrHostGlobals) {
    auto sandbox = start();
    const auto outcome = run_call(*sandbox, ctx_, R"(
        function execute(inputs, properties, context) {
            return [typeof require, typeof process, typeof module, typeof Buffer,
                    typeof globalThis.process, typeof fetch, typeof __claraBridge];
        })");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(*outcome.value, json::parse(R"(["undefined","undefined","undefined","undefined",
                                               "undefined","undefined","undefined"])"));
}

TEST_F(NodeSandboxTest, RequireAndImportOfModulesFail) {
    auto sandbox = start();
    auto outcome = run_call(
        *sandbox, ctx_, "function execute() { return require('child_process').execSync('id'); }");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "require is not defined");

    outcome =
        run_call(*sandbox, ctx_, "async function execute() { return await import('node:fs'); }");
    EXPECT_FALSE(outcome.ok);
    EXPECT_NE(outcome.error.find("dynamic import"), std::string::npos) << outcome.error;
}

TEST_F(NodeSandboxTest, EscapesThroughConstructorsStayInsideTheContext) {
    // The classic node:vm escape walks from an object of the host realm to its Function
    // constructor; the context holds none, so every chain ends in the context's own realm.
    auto sandbox = start();
    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute(inputs, properties, context) {
            const attempts = {
                global: () => this.constructor.constructor('return typeof process')(),
                inputs: () => inputs.constructor.constructor('return typeof process')(),
                context: () => context.log.constructor('return typeof process')(),
                console: () => console.log.constructor('return typeof process')(),
                timer: () => setTimeout.constructor('return typeof process')(),
                promise: () => Promise.resolve().then.constructor('return typeof process')(),
            };
            const seen = {};
            for (const [name, attempt] of Object.entries(attempts)) {
                try { seen[name] = attempt(); } catch (e) { seen[name] = 'threw'; }
            }
            return seen;
        })",
                                  json::object{{"text", "x"}});
    ASSERT_TRUE(outcome.ok) << outcome.error;
    for (const auto& [name, seen] : outcome.value->as_object()) {
        EXPECT_EQ(seen, "undefined") << name;
    }
}

TEST_F(NodeSandboxTest, FileReadsEnvironmentAndSpawningFailFromCode) {
    auto sandbox = start();
    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute() {
            const results = {};
            const attempt = async (name, action) => {
                try { results[name] = 'succeeded: ' + String(await action()).slice(0, 40); }
                catch (e) { results[name] = 'failed'; }
            };
            await attempt('readFile', () => require('fs').readFileSync('/etc/hostname', 'utf8'));
            await attempt('importFs',
                          async () => (await import('fs')).readFileSync('/etc/hostname'));
            await attempt('env', () => Object.keys(process.env).length);
            await attempt('spawn', () => require('child_process').execSync('id'));
            return results;
        })");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    for (const auto& [name, result] : outcome.value->as_object()) {
        EXPECT_EQ(result, "failed") << name;
    }
}

TEST_F(NodeSandboxTest, ResultOverOneMiBIsRefused) {
    auto sandbox = start();
    auto outcome = run_call(*sandbox, ctx_, "function execute() { return 'x'.repeat(1100000); }");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "the result is larger than 1 MiB");

    outcome = run_call(*sandbox, ctx_, "function execute() { return 'x'.repeat(1000000); }");
    EXPECT_TRUE(outcome.ok) << outcome.error;
}

TEST_F(NodeSandboxTest, UnserialisableResultFails) {
    auto sandbox = start();
    const auto outcome =
        run_call(*sandbox, ctx_, "function execute() { const a = {}; a.self = a; return a; }");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error.rfind("the result is not serialisable as JSON", 0), 0u)
        << outcome.error;
}

TEST_F(NodeSandboxTest, FetchIsNotAvailableByDefault) {
    auto client = std::make_shared<FakeHttpClient>(io_.io());
    auto sandbox = start({}, client);  // client given, but CUSTOM_NODE_FETCH is off
    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute() {
            if (typeof fetch !== 'undefined') { return 'fetch exists'; }
            return fetch('https://example.com/');
        })");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "fetch is not defined");
    EXPECT_TRUE(client->requests().empty());
}

TEST_F(NodeSandboxTest, FetchGoesThroughTheHttpClientWhenEnabled) {
    auto client = std::make_shared<FakeHttpClient>(io_.io());
    engine::OutboundResponse response;
    response.status = 201;
    response.reason = "Created";
    response.headers = {{"Content-Type", "application/json"}, {"X-Trace", "a"}, {"x-trace", "b"}};
    response.body = R"({"echo":"héllo"})";
    response.url = "https://api.example.com/items";
    client->answer(response);
    SandboxSettings settings;
    settings.fetch_enabled = true;
    auto sandbox = start(settings, client);

    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute() {
            const response = await fetch('https://api.example.com/items', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', 'X-Key': 'k1' },
                body: JSON.stringify({ q: 1 }),
            });
            return {
                ok: response.ok, status: response.status, statusText: response.statusText,
                type: response.headers.get('content-type'), trace: response.headers.get('X-TRACE'),
                missing: response.headers.get('nope'), data: await response.json(),
            };
        })");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(*outcome.value, json::parse(R"({"ok":true,"status":201,"statusText":"Created",
        "type":"application/json","trace":"a, b","missing":null,"data":{"echo":"héllo"}})"));

    const auto requests = client->requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].url, "https://api.example.com/items");
    EXPECT_EQ(requests[0].body, R"({"q":1})");
    EXPECT_EQ(requests[0].headers,
              (engine::OutboundHeaders{{"Content-Type", "application/json"}, {"X-Key", "k1"}}));
    EXPECT_LE(requests[0].timeout, std::chrono::milliseconds(30000));
    EXPECT_EQ(requests[0].max_response_bytes, SandboxSettings{}.fetch_max_response_bytes);
}

TEST_F(NodeSandboxTest, FetchRefusedByTheOutboundPolicyRejects) {
    auto client = std::make_shared<FakeHttpClient>(io_.io());
    client->answer(engine::OutboundError{engine::OutboundErrorKind::kPolicy,
                                         "destination 127.0.0.1 is not allowed"});
    SandboxSettings settings;
    settings.fetch_enabled = true;
    auto sandbox = start(settings, client);
    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute() {
            try { await fetch('http://127.0.0.1:8080/admin'); return 'reached'; }
            catch (e) { return e.message; }
        })");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(*outcome.value, "fetch failed: destination 127.0.0.1 is not allowed");
    EXPECT_EQ(client->requests().size(), 1u);
}

TEST_F(NodeSandboxTest, FetchWithAnInvalidHeaderIsRefusedBeforeSending) {
    auto client = std::make_shared<FakeHttpClient>(io_.io());
    SandboxSettings settings;
    settings.fetch_enabled = true;
    auto sandbox = start(settings, client);
    const auto outcome = run_call(*sandbox, ctx_, R"(
        async function execute() {
            try { await fetch('https://example.com/', { headers: { 'X-A': 'a\r\nInjected: 1' } }); }
            catch (e) { return e.message; }
        })");
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(*outcome.value, "fetch failed: invalid value of header X-A");
    EXPECT_TRUE(client->requests().empty());
}

TEST_F(NodeSandboxTest, CancellingTheExecutionAbandonsTheCall) {
    auto sandbox = start();
    auto promise = std::make_shared<std::promise<engine::ScriptOutcome>>();
    auto future = promise->get_future();
    engine::ScriptCall call;
    call.code = "function execute() { while (true) {} }";
    call.node_id = "n";
    sandbox->run(std::move(call), ctx_, [promise](engine::ScriptOutcome outcome) {
        promise->set_value(std::move(outcome));
    });
    ctx_.cancel();
    ASSERT_EQ(future.wait_for(testing::kCallWait), std::future_status::ready);
    const auto outcome = future.get();
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "Execution cancelled");
}

TEST_F(NodeSandboxTest, CallsBeyondThePoolSizeQueueAndAllComplete) {
    auto sandbox = start();
    std::vector<std::future<engine::ScriptOutcome>> futures;
    for (int i = 0; i < 6; ++i) {
        auto promise = std::make_shared<std::promise<engine::ScriptOutcome>>();
        futures.push_back(promise->get_future());
        engine::ScriptCall call;
        call.code =
            "async function execute(inputs) { await new Promise(r => setTimeout(r, 50)); "
            "return inputs.n * 2; }";
        call.inputs = json::object{{"n", i}};
        sandbox->run(std::move(call), ctx_, [promise](engine::ScriptOutcome outcome) {
            promise->set_value(std::move(outcome));
        });
    }
    for (int i = 0; i < 6; ++i) {
        ASSERT_EQ(futures[i].wait_for(testing::kCallWait), std::future_status::ready);
        const auto outcome = futures[i].get();
        ASSERT_TRUE(outcome.ok) << outcome.error;
        EXPECT_EQ(*outcome.value, i * 2);
    }
    EXPECT_EQ(sandbox->stats().workers_started, 2u);
}

TEST_F(NodeSandboxTest, ShutdownKillsTheWorkersAndRefusesNewCalls) {
    auto sandbox = start();
    const auto pids = sandbox->stats().worker_pids;
    ASSERT_EQ(pids.size(), 2u);
    sandbox->shutdown();
    for (const auto pid : pids) {
        EXPECT_NE(::kill(pid, 0), 0) << "worker " << pid << " still exists";
    }
    const auto outcome = run_call(*sandbox, ctx_, "function execute() { return 1; }");
    EXPECT_FALSE(outcome.ok);
    EXPECT_EQ(outcome.error, "the custom node runtime was shut down");
}

TEST_F(NodeSandboxTest, MissingNodeBinaryIsAStartError) {
    SandboxSettings settings;
    settings.node_binary = "/nonexistent/node";
    EXPECT_THROW(start(settings), std::runtime_error);
}

}  // namespace
}  // namespace clara::custom

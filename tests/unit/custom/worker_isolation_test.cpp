// The process-level layer of the sandbox: what a worker process itself may do, whatever code it
// runs. A probe script is started with exactly the command line of a worker.
#include "custom/child_process.hpp"
#include "custom/node_sandbox.hpp"
#include "custom/worker_script.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace clara::custom {
namespace {
namespace json = boost::json;

constexpr std::string_view kProbe = R"JS('use strict';
const results = {};
const attempt = (name, action) => {
    try { action(); results[name] = 'allowed'; } catch (e) { results[name] = e.code || e.name; }
};
attempt('readOtherFile', () => require('fs').readFileSync('/etc/hostname'));
attempt('listDirectory', () => require('fs').readdirSync('/'));
attempt('writeFile', () => require('fs').writeFileSync('/tmp/clara-probe-' + process.pid, 'x'));
attempt('spawnProcess', () => require('child_process').spawnSync('/bin/true'));
attempt('startWorker', () => new (require('worker_threads').Worker)('1', { eval: true }));
attempt('evalInOwnRealm', () => Function('return 1')());
attempt('readOwnScript', () => require('fs').readFileSync(__filename));
results.environmentVariables = Object.keys(process.env).length;
results.globalFetch = typeof fetch;
process.stdout.write(JSON.stringify(results));
)JS";

/// Reads everything the child writes to stdout (bounded wait).
std::string read_all(int fd) {
    std::string output;
    char chunk[4096];
    while (true) {
        pollfd poll_fd{fd, POLLIN, 0};
        if (::poll(&poll_fd, 1, 30000) <= 0) {
            ADD_FAILURE() << "the probe did not finish";
            break;
        }
        const auto got = ::read(fd, chunk, sizeof chunk);
        if (got <= 0) {
            break;
        }
        output.append(chunk, static_cast<std::size_t>(got));
    }
    return output;
}

TEST(WorkerProcess, MayReadOnlyItsScriptAndCannotWriteSpawnEvalOrSeeTheEnvironment) {
    const auto node = find_program("node");
    ASSERT_FALSE(node.empty());
    const WorkerScriptFile probe(kProbe);
    auto child = spawn_child(worker_command(node, probe.path(), 64));
    ::close(child.stdin_fd);
    const auto output = read_all(child.stdout_fd);
    ::close(child.stdout_fd);
    ::close(child.stderr_fd);
    EXPECT_TRUE(reap_child_blocking(child.pid, std::chrono::seconds(10)));

    const auto results = json::parse(output).as_object();
    for (const auto* denied :
         {"readOtherFile", "listDirectory", "writeFile", "spawnProcess", "startWorker"}) {
        EXPECT_EQ(results.at(denied), "ERR_ACCESS_DENIED") << denied;
    }
    EXPECT_EQ(results.at("evalInOwnRealm"), "EvalError");
    EXPECT_EQ(results.at("readOwnScript"), "allowed");
    EXPECT_EQ(results.at("environmentVariables"), 0);
    EXPECT_EQ(results.at("globalFetch"), "undefined");
}

TEST(WorkerScriptFile, IsPrivateHoldsTheScriptAndIsRemovedAfterwards) {
    std::string path;
    {
        const WorkerScriptFile file(embedded_worker_script());
        path = file.path();
        struct stat info {};
        ASSERT_EQ(::stat(path.c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0600u);
        const auto directory = path.substr(0, path.rfind('/'));
        ASSERT_EQ(::stat(directory.c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0700u);
        std::ifstream in(path);
        std::stringstream content;
        content << in.rdbuf();
        EXPECT_EQ(content.str(), embedded_worker_script());
        EXPECT_NE(content.str().find("node:vm"), std::string::npos);
    }
    EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

TEST(FindProgram, SearchesPathAndAcceptsPaths) {
    EXPECT_FALSE(find_program("node").empty());
    EXPECT_EQ(find_program("/nonexistent/node"), "");
    EXPECT_EQ(find_program("clara-no-such-program"), "");
    EXPECT_EQ(program_version(find_program("node")).rfind('v', 0), 0u);
}

}  // namespace
}  // namespace clara::custom

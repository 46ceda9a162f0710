// `serve` and `migrate`: wire settings, store, cache, recorder and HTTP server together.
#include "cli/commands.hpp"

#include "api/app_context.hpp"
#include "api/routes.hpp"
#include "config/settings.hpp"
#include "http/server.hpp"
#include "nodes/builtin_catalog.hpp"
#include "service/blocking_pool.hpp"
#include "service/deployment_registry.hpp"
#include "service/execution_recorder.hpp"
#include "storage/store.hpp"
#include "util/time_format.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <thread>

namespace clara::cli {
namespace asio = boost::asio;

namespace {

std::optional<config::Settings> load_or_report() {
    std::vector<std::string> problems;
    auto settings = config::load_settings(config::process_environment(), problems);
    if (!problems.empty()) {
        for (const auto& problem : problems) {
            std::cerr << "configuration error: " << problem << "\n";
        }
        return std::nullopt;
    }
    spdlog::set_level(spdlog::level::from_str(settings.log_level));
    return settings;
}

std::unique_ptr<storage::Store> open_and_migrate(const config::Settings& settings) {
    auto store = storage::open_store(settings.database_url);
    const int applied = store->migrate();
    if (applied > 0) {
        spdlog::info("applied {} database migration(s)", applied);
    }
    return store;
}

void load_deployments(storage::Store& store, service::DeploymentRegistry& registry) {
    for (auto& record : store.load_active_deployments()) {
        const auto slug = record.slug;
        try {
            registry.put(service::load_deployed_workflow(std::move(record), nodes::builtin_catalog()));
        } catch (const std::exception& e) {
            spdlog::error("workflow /{} is not served: {}", slug, e.what());
        }
    }
}

}  // namespace

int migrate() {
    const auto settings = load_or_report();
    if (!settings) {
        return 1;
    }
    try {
        open_and_migrate(*settings);
    } catch (const std::exception& e) {
        std::cerr << "migration failed: " << e.what() << "\n";
        return 1;
    }
    std::cout << "database is up to date (" << config::describe_database(*settings) << ")\n";
    return 0;
}

int serve() {
    const auto loaded = load_or_report();
    if (!loaded) {
        return 1;
    }
    const auto& settings = *loaded;
    std::unique_ptr<storage::Store> store;
    try {
        store = open_and_migrate(settings);
        if (const int interrupted = store->mark_interrupted_executions(); interrupted > 0) {
            spdlog::warn("marked {} execution(s) left running by a previous process as interrupted",
                         interrupted);
        }
    } catch (const std::exception& e) {
        spdlog::critical("database unavailable ({}): {}", config::describe_database(settings), e.what());
        return 1;
    }

    service::DeploymentRegistry registry;
    load_deployments(*store, registry);

    const unsigned threads =
        settings.io_threads > 0 ? settings.io_threads : std::max(1u, std::thread::hardware_concurrency());
    asio::io_context io(static_cast<int>(threads));
    service::BlockingPool blocking(2);
    service::ExecutionRecorder recorder(*store);
    service::ExecutionGate gate(settings.max_concurrent_executions, settings.max_queued_executions);
    service::FixedWindowRateLimiter rate_limiter(settings.rate_limit_max_requests,
                                                 settings.rate_limit_window);
    service::FixedWindowRateLimiter auth_failures(settings.auth_fail_limit, std::chrono::minutes(15));
    if (settings.admin_api_key.empty()) {
        spdlog::warn("ADMIN_API_KEY is not set: deploy and the deployment list accept local "
                     "clients only; set it to manage the runner from elsewhere");
    }
    api::AppContext app{.settings = settings,
                        .store = *store,
                        .blocking = blocking,
                        .recorder = recorder,
                        .registry = registry,
                        .catalog = nodes::builtin_catalog(),
                        .gate = gate,
                        .rate_limiter = rate_limiter,
                        .auth_failures = auth_failures,
                        .cors = api::CorsPolicy(settings.cors_origins),
                        .limits = {.max_input_size = settings.max_input_size,
                                   .strict_node_errors = settings.strict_node_errors,
                                   .max_execution_time = settings.max_execution_time},
                        .started_at_ms = util::now_ms()};
    const auto router = api::build_router(app);

    http::ServerSettings server_settings;
    server_settings.host = settings.host;
    server_settings.port = settings.port;
    http::Server server(io, server_settings, router, api::transport_error);
    try {
        server.start();
    } catch (const std::exception& e) {
        spdlog::critical("cannot listen on {}:{}: {}", settings.host, settings.port, e.what());
        return 1;
    }
    spdlog::info("Clara Agent Runner listening on {}:{} ({} deployment(s), database {}, {} I/O threads)",
                 settings.host, server.port(), registry.size(), config::describe_database(settings),
                 threads);

    // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, stop after the grace period.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer grace(io);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) {
            return;
        }
        spdlog::info("signal {} received; draining connections", signal);
        server.shutdown([&io] { io.stop(); });
        grace.expires_after(settings.shutdown_grace);
        grace.async_wait([&io](const boost::system::error_code& wait_ec) {
            if (!wait_ec) {
                spdlog::warn("grace period over; stopping with requests still open");
                io.stop();
            }
        });
    });

    std::vector<std::thread> workers;
    for (unsigned i = 1; i < threads; ++i) {
        workers.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& worker : workers) {
        worker.join();
    }
    blocking.join();
    recorder.stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace clara::cli

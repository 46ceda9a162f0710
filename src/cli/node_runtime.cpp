#include "cli/node_runtime.hpp"

#include "client/asio_timer.hpp"
#include "client/beast_http_client.hpp"
#include "client/outbound_policy.hpp"
#include "custom/node_sandbox.hpp"
#include "nodes/builtin_catalog.hpp"

#include <boost/asio/io_context.hpp>

namespace clara::cli {

NodeRuntime make_node_runtime(const config::Settings& settings, boost::asio::io_context& io,
                              std::vector<std::string>& problems) {
    const auto& services = settings.services;
    client::OutboundPolicySettings policy_settings;
    policy_settings.allowlist = services.outbound_allowlist;
    policy_settings.trusted_service_urls = services.trusted_service_urls();
    policy_settings.rewrite_localhost_to = services.rewrite_localhost_to;
    auto policy = client::OutboundPolicy::from_settings(policy_settings, problems);

    client::ClientSettings client_settings;
    client_settings.extra_ca_file = services.outbound_ca_file;

    auto node_services = std::make_shared<nodes::NodeServices>();
    node_services->settings = services;
    node_services->precheck_url = [policy](std::string_view url) { return policy.precheck(url); };
    try {
        node_services->http =
            std::make_shared<client::BeastHttpClient>(io, std::move(policy), client_settings);
    } catch (const std::exception& e) {
        problems.push_back(std::string("OUTBOUND_CA_FILE: ") + e.what());
    }
    node_services->timer = std::make_shared<client::AsioTimer>(io);
    if (services.enable_custom_nodes) {
        custom::SandboxSettings sandbox_settings;
        sandbox_settings.timeout = services.custom_node_timeout;
        sandbox_settings.fetch_enabled = services.custom_node_fetch;
        try {
            node_services->sandbox = custom::start_node_sandbox(
                io, sandbox_settings, services.custom_node_fetch ? node_services->http : nullptr);
        } catch (const std::exception& e) {
            problems.push_back(std::string("ENABLE_CUSTOM_NODES: ") + e.what());
        }
    }

    NodeRuntime runtime;
    runtime.services = node_services;
    runtime.catalog = nodes::make_builtin_catalog(node_services);
    return runtime;
}

void NodeRuntime::shutdown() const {
    if (services && services->sandbox) {
        std::static_pointer_cast<custom::NodeSandbox>(services->sandbox)->shutdown();
    }
}

}  // namespace clara::cli

#include "cli/node_runtime.hpp"

#include "client/asio_timer.hpp"
#include "client/beast_http_client.hpp"
#include "client/outbound_policy.hpp"
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

    NodeRuntime runtime;
    runtime.services = node_services;
    runtime.catalog = nodes::make_builtin_catalog(node_services);
    return runtime;
}

}  // namespace clara::cli

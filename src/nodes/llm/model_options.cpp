#include "nodes/llm/model_nodes.hpp"

#include "nodes/node_data.hpp"

#include <cmath>

namespace clara::nodes::llm {

ModelOptions read_model_options(const boost::json::object& data, std::string_view model_key,
                                std::string_view default_model, std::int64_t default_max_tokens) {
    ModelOptions options;
    options.model = string_or(data, model_key, default_model);
    if (const auto temperature = number_field(data, "temperature")) {
        options.temperature = *temperature;
    }
    options.max_tokens = default_max_tokens;
    if (const auto max_tokens = number_field(data, "maxTokens");
        max_tokens && *max_tokens >= 0 && *max_tokens < 1e12) {
        options.max_tokens = static_cast<std::int64_t>(std::trunc(*max_tokens));
    }
    return options;
}

}  // namespace clara::nodes::llm

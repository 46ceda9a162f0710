#include "nodes/json_path.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace clara::nodes {

JsonPath::JsonPath(std::string_view text) {
    std::size_t start = 0;
    while (true) {
        const auto dot = text.find('.', start);
        segments_.emplace_back(text.substr(start, dot - start));
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
}

const boost::json::value* JsonPath::find(const boost::json::value& root) const {
    const boost::json::value* current = &root;
    for (const auto& segment : segments_) {
        if (current->is_object()) {
            current = current->get_object().if_contains(segment);
        } else if (current->is_array()) {
            const auto& array = current->get_array();
            std::size_t index = 0;
            const auto* end = segment.data() + segment.size();
            const auto [ptr, ec] = std::from_chars(segment.data(), end, index);
            const bool digits_only = !segment.empty() && ec == std::errc() && ptr == end;
            current = digits_only && index < array.size() ? &array[index] : nullptr;
        } else {
            current = nullptr;
        }
        if (current == nullptr) {
            return nullptr;
        }
    }
    return current;
}

}  // namespace clara::nodes

#include "http/router.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace clara::http {

namespace {

/// Splits "/a/b/" into {"a", "b"}: one leading and one trailing slash are ignored, so
/// `/health/` and `/health` are the same path; inner empty segments ("//") are kept.
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> segments;
    if (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    if (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    if (path.empty()) {
        return segments;
    }
    std::size_t start = 0;
    while (true) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            segments.push_back(path.substr(start));
            break;
        }
        segments.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return segments;
}

bool is_param(std::string_view segment) {
    return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

std::string upper(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return result;
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler,
                 RouteOptions options) {
    Route route;
    route.method = upper(method);
    for (std::string_view segment : split_path(pattern)) {
        if (segment.empty()) {
            throw std::invalid_argument("empty segment in route pattern: " + std::string(pattern));
        }
        route.segments.emplace_back(segment);
    }
    // Two routes of the same shape under one method would make the second unreachable.
    for (const Route& existing : routes_) {
        if (existing.method != route.method || existing.segments.size() != route.segments.size()) {
            continue;
        }
        bool same = true;
        for (std::size_t i = 0; i < route.segments.size() && same; ++i) {
            const std::string& a = existing.segments[i];
            const std::string& b = route.segments[i];
            same = is_param(a) ? is_param(b) : a == b;
        }
        if (same) {
            throw std::invalid_argument("duplicate route: " + route.method + " " +
                                        std::string(pattern));
        }
    }
    route.handler = std::move(handler);
    route.options = options;
    routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
    const std::vector<std::string_view> segments = split_path(path);

    auto fits = [&](const Route& route) {
        if (route.segments.size() != segments.size()) {
            return false;
        }
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const std::string& expected = route.segments[i];
            if (is_param(expected) ? segments[i].empty() : expected != segments[i]) {
                return false;
            }
        }
        return true;
    };
    // At the first segment where two fitting routes differ in kind, the literal one wins.
    auto more_specific = [](const Route& a, const Route& b) {
        for (std::size_t i = 0; i < a.segments.size(); ++i) {
            bool a_param = is_param(a.segments[i]);
            bool b_param = is_param(b.segments[i]);
            if (a_param != b_param) {
                return !a_param;
            }
        }
        return false;
    };
    auto best_for = [&](std::string_view wanted) -> const Route* {
        const Route* best = nullptr;
        for (const Route& route : routes_) {
            if (route.method == wanted && fits(route) && (!best || more_specific(route, *best))) {
                best = &route;
            }
        }
        return best;
    };

    const std::string wanted = upper(method);
    const Route* best = best_for(wanted);
    // HEAD is served by the GET route when no HEAD route exists (the server omits the body).
    if (!best && wanted == "HEAD") {
        best = best_for("GET");
    }

    Match result;
    if (best) {
        result.handler = &best->handler;
        result.options = &best->options;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const std::string& segment = best->segments[i];
            if (is_param(segment)) {
                result.params.emplace_back(segment.substr(1, segment.size() - 2),
                                           std::string(segments[i]));
            }
        }
        return result;
    }

    for (const Route& route : routes_) {
        if (!fits(route)) {
            continue;
        }
        result.path_known = true;
        auto& allowed = result.allowed_methods;
        if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
            allowed.push_back(route.method);
        }
    }
    auto& allowed = result.allowed_methods;
    if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end() &&
        std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
        allowed.push_back("HEAD");
    }
    return result;
}

}  // namespace clara::http

#include "web/runner_openapi.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>

namespace clara::web {
namespace {

namespace json = boost::json;

using Route = std::pair<std::string, std::string>;  // lower-case method, path with "{}" params

/// "/api/workflows/{slug}/execute" -> "/api/workflows/{}/execute": OpenAPI and the router may
/// name a parameter differently (one OpenAPI path serves GET by slug and DELETE by id).
std::string path_shape(const std::string& path) {
    return std::regex_replace(path, std::regex("\\{[^}]*\\}"), "{}");
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// The routes of src/api/routes.cpp's table, read from the source so a route added there without
/// documentation fails this test. Matches `"GET", "/path"` pairs, the shape of its entries.
std::set<Route> api_routes() {
    std::ifstream file(CLARA_SOURCE_DIR "/src/api/routes.cpp");
    std::stringstream text;
    text << file.rdbuf();
    const std::string source = text.str();
    const std::regex add(R"re("(GET|POST|PUT|PATCH|DELETE)"\s*,\s*"(/[^"]*)")re");
    std::set<Route> routes;
    for (auto it = std::sregex_iterator(source.begin(), source.end(), add);
         it != std::sregex_iterator(); ++it) {
        routes.emplace(lower((*it)[1]), path_shape((*it)[2]));
    }
    return routes;
}

/// The page and document routes of web_routes.cpp (assets excepted).
std::set<Route> web_routes() {
    return {{"get", "/"},
            {"get", "/dashboard"},
            {"get", "/api/docs"},
            {"get", "/api/openapi.json"},
            {"get", path_shape("/api/workflows/{slug}/docs")}};
}

std::set<Route> documented_routes(const json::object& document) {
    static const std::set<std::string> kMethods{"get",   "put",  "post",   "delete",
                                                "patch", "head", "options"};
    std::set<Route> routes;
    for (const auto& [path, item] : document.at("paths").as_object()) {
        for (const auto& [method, operation] : item.as_object()) {
            if (kMethods.count(std::string(method)) != 0) {
                routes.emplace(std::string(method), path_shape(std::string(path)));
            }
        }
    }
    return routes;
}

void collect_refs(const json::value& value, std::vector<std::string>& refs) {
    if (value.is_object()) {
        for (const auto& [key, member] : value.get_object()) {
            if (key == "$ref" && member.is_string()) {
                refs.emplace_back(member.get_string());
            } else {
                collect_refs(member, refs);
            }
        }
    } else if (value.is_array()) {
        for (const auto& element : value.get_array()) {
            collect_refs(element, refs);
        }
    }
}

class RunnerOpenApi : public ::testing::Test {
protected:
    json::object document_ = runner_openapi_document("https://runner.example.org/");
};

TEST_F(RunnerOpenApi, IsAnOpenApi303DocumentServedAtBaseUrl) {
    EXPECT_EQ(document_.at("openapi"), "3.0.3");
    EXPECT_EQ(document_.at("info").at("title"), "Clara Agent Runner API");
    // The trailing slash is dropped, as in the workflows' documents.
    EXPECT_EQ(document_.at("servers").at(0).at("url"), "https://runner.example.org");
}

TEST_F(RunnerOpenApi, DocumentsEveryRouteOfTheApiTable) {
    const auto routes = api_routes();
    ASSERT_GE(routes.size(), 10u) << "could not read " CLARA_SOURCE_DIR "/src/api/routes.cpp";
    const auto documented = documented_routes(document_);
    for (const auto& [method, path] : routes) {
        EXPECT_EQ(documented.count({method, path}), 1u) << method << " " << path;
    }
}

TEST_F(RunnerOpenApi, DocumentsThePagesAndDocuments) {
    const auto documented = documented_routes(document_);
    for (const auto& [method, path] : web_routes()) {
        EXPECT_EQ(documented.count({method, path}), 1u) << method << " " << path;
    }
}

TEST_F(RunnerOpenApi, DocumentsNoRouteTheServerDoesNotHave) {
    auto served = api_routes();
    served.merge(web_routes());
    for (const auto& route : documented_routes(document_)) {
        EXPECT_EQ(served.count(route), 1u) << route.first << " " << route.second;
    }
}

TEST_F(RunnerOpenApi, EveryReferenceResolves) {
    std::vector<std::string> refs;
    collect_refs(document_, refs);
    ASSERT_FALSE(refs.empty());
    const json::value root = document_;
    for (const auto& ref : refs) {
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
        boost::system::error_code ec;
        const auto* target = root.find_pointer(ref.substr(1), ec);
        EXPECT_TRUE(target != nullptr && !ec) << ref;
    }
}

TEST_F(RunnerOpenApi, EveryOperationHasAUniqueIdAndDeclaresItsSecurity) {
    std::set<std::string> ids;
    for (const auto& [path, item] : document_.at("paths").as_object()) {
        for (const auto& [method, operation] : item.as_object()) {
            const auto& op = operation.as_object();
            ASSERT_TRUE(op.contains("operationId")) << method << " " << path;
            EXPECT_TRUE(ids.insert(std::string(op.at("operationId").as_string())).second)
                << op.at("operationId");
            EXPECT_TRUE(op.contains("security")) << method << " " << path;
        }
    }
}

TEST_F(RunnerOpenApi, KeyRoutesUseTheBearerSchemeAndErrorsUseTheErrorSchema) {
    const auto& scheme = document_.at("components").at("securitySchemes").at("WorkflowKey");
    EXPECT_EQ(scheme.at("type"), "http");
    EXPECT_EQ(scheme.at("scheme"), "bearer");
    const auto& execute = document_.at("paths").at("/api/workflows/{slug}/execute").at("post");
    EXPECT_EQ(execute.at("security").at(0).as_object().count("WorkflowKey"), 1u);
    const auto& error = document_.at("components").at("schemas").at("Error").at("properties");
    for (const auto* field : {"success", "error", "message", "timestamp", "validationErrors"}) {
        EXPECT_TRUE(error.as_object().contains(field)) << field;
    }
}

}  // namespace
}  // namespace clara::web
